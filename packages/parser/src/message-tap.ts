/**
 * Receives the message of each counted record (parsed, selected, with a message field) and returns how many
 * of the following messages it does not want (0 or nothing: the next one). A sampler skips most lines this way
 * and the parser never slices their messages: `esc parse --stats` mines templates so (docs/parser.md).
 */
// biome-ignore lint/suspicious/noConfusingVoidType: an observer that never skips may be a plain `(m) => { … }`
export type MessageObserver = (message: string) => number | undefined | void;

/** The observer with its skip count, shared by the fast and general paths so that they see one sequence. */
export class MessageTap {
  private skip = 0;

  constructor(private readonly observer: MessageObserver) {}

  /** Whether the next message is wanted; when it is not, it is passed over (counted against the skip). */
  wants(): boolean {
    if (this.skip > 0) {
      this.skip--;
      return false;
    }
    return true;
  }

  give(message: string): void {
    this.skip = this.observer(message) || 0;
  }
}
