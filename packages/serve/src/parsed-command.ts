import { bufferView } from './buffer-view.js';

const NO_SPANS = new Int32Array(0);
const EMPTY = Buffer.alloc(0);

/**
 * One request's arguments as the parser found them: where each lies in the received bytes, made into Buffers
 * only when asked. A handler that reads its arguments in place (MSET: `bytes`, `start`, `end`) costs no Buffer
 * per argument: a Buffer view is a typed array (~25 ns to make, perf: 21 of them were ~0.5 us of an MSET's
 * ~22 us of server CPU).
 *
 * The parser reuses one object for every request of a connection: valid only during the call it is passed to.
 * What must outlive it (a reply's later failure, a promise) takes `args()` or `arg(i)`, fresh Buffers that stay
 * valid (the received bytes are never written over).
 */
export class ParsedCommand {
  /** The bytes the arguments lie in (when not `views`). */
  bytes: Buffer = EMPTY;
  private memory: ArrayBufferLike = EMPTY.buffer;
  private memoryOffset = 0;
  /** Argument i is bytes [spans[2i], spans[2i + 1]). */
  private spans: Int32Array = NO_SPANS;
  private n = 0;
  /** The arguments as Buffers, once made (or as given: a request that spanned reads, an inline one). */
  private views: readonly Buffer[] | null = null;
  /** The name as a Buffer, once made (the dispatcher looks it up; `args()` reuses it). */
  private name: Buffer | null = null;

  /** How many arguments, the command's name included. */
  get length(): number {
    return this.n;
  }

  /** Arguments in `bytes`, at the spans given (the caller's array, read until the next reset). */
  reset(bytes: Buffer, memory: ArrayBufferLike, memoryOffset: number, spans: Int32Array, n: number): void {
    this.bytes = bytes;
    this.memory = memory;
    this.memoryOffset = memoryOffset;
    this.spans = spans;
    this.n = n;
    this.views = null;
    this.name = null;
  }

  /** Arguments already made into Buffers. */
  resetViews(args: readonly Buffer[]): void {
    this.bytes = EMPTY;
    this.spans = NO_SPANS;
    this.n = args.length;
    this.views = args;
    this.name = null;
  }

  /** Whether the arguments lie in `bytes` (`start`/`end` apply); false when they came as Buffers. */
  get inPlace(): boolean {
    return this.views === null;
  }

  /** Where argument i starts in `bytes` (inPlace only). */
  start(i: number): number {
    return this.spans[2 * i]!;
  }

  /** Where argument i ends in `bytes` (inPlace only). */
  end(i: number): number {
    return this.spans[2 * i + 1]!;
  }

  /** Argument i as a Buffer (a fresh view, or the one already made). */
  arg(i: number): Buffer {
    if (this.views !== null) return this.views[i]!;
    if (i === 0) return (this.name ??= bufferView(this.memory, this.memoryOffset, this.spans[0]!, this.spans[1]!));
    return bufferView(this.memory, this.memoryOffset, this.spans[2 * i]!, this.spans[2 * i + 1]!);
  }

  /** Every argument as a Buffer, made once per request. */
  args(): readonly Buffer[] {
    if (this.views !== null) return this.views;
    const n = this.n;
    const views: Buffer[] = new Array(n);
    for (let i = 0; i < n; i++) views[i] = this.arg(i);
    this.views = views;
    return views;
  }
}
