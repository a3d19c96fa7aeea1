import type { Reply } from './reply.js';

/**
 * A reply that may leave only once a write is acknowledged by its store. `acked` is shared by every write of
 * the store's group, so a pipeline of writes costs the connection one callback per group, not a promise per
 * command. A thenable: awaiting it gives the reply once acknowledged (or the store's error).
 */
export class AckedReply implements PromiseLike<Reply> {
  constructor(
    readonly reply: Reply,
    readonly acked: Promise<unknown>,
  ) {}

  // biome-ignore lint/suspicious/noThenProperty: a thenable on purpose, so that `await` waits for the acknowledgement
  then<A = Reply, B = never>(
    onFulfilled?: ((value: Reply) => A | PromiseLike<A>) | null,
    onRejected?: ((reason: unknown) => B | PromiseLike<B>) | null,
  ): Promise<A | B> {
    return this.acked.then(() => this.reply).then(onFulfilled, onRejected);
  }
}
