import { countNewlines, skipNewlines } from './newline-scan.js';

/**
 * The last N lines (or bytes) of a stream that cannot be read backwards (a pipe, a terminal): chunks are kept
 * in arrival order and the oldest is dropped as soon as the newer ones alone hold enough, so memory stays
 * near N lines plus one chunk however long the stream is. Chunks need not end at a newline.
 */
export class TailRing {
  private chunks: Buffer[] = [];
  /** Newlines (line mode) or bytes (byte mode) in each kept chunk. */
  private weights: number[] = [];
  private total = 0;
  private head = 0;

  constructor(
    private readonly limit: number,
    private readonly unit: 'lines' | 'bytes',
  ) {}

  push(chunk: Buffer): void {
    if (this.limit <= 0 || chunk.length === 0) return;
    // A small view would pin its (often 1 MiB) read buffer for as long as it is kept: copy it instead.
    const kept = chunk.buffer.byteLength > 2 * chunk.length ? Buffer.from(chunk) : chunk;
    const weight = this.unit === 'bytes' ? kept.length : countNewlines(kept);
    this.chunks.push(kept);
    this.weights.push(weight);
    this.total += weight;
    // In line mode keep one newline more than asked for: the oldest wanted line may begin inside the chunk
    // that holds the newline before it, and a final line without a newline counts too.
    const keep = this.unit === 'bytes' ? this.limit : this.limit + 1;
    while (this.chunks.length - this.head > 1 && this.total - this.weights[this.head]! >= keep) {
      this.total -= this.weights[this.head]!;
      this.chunks[this.head] = EMPTY;
      this.head++;
    }
    if (this.head > 1024 && this.head * 2 > this.chunks.length) {
      this.chunks = this.chunks.slice(this.head);
      this.weights = this.weights.slice(this.head);
      this.head = 0;
    }
  }

  /** The kept tail, as slices in order. */
  contents(): Buffer[] {
    const live = this.chunks.slice(this.head);
    if (live.length === 0) return [];
    let skip: number;
    if (this.unit === 'bytes') {
      skip = Math.max(0, this.total - this.limit);
      const out: Buffer[] = [];
      for (const chunk of live) {
        if (skip >= chunk.length) {
          skip -= chunk.length;
          continue;
        }
        out.push(skip > 0 ? chunk.subarray(skip) : chunk);
        skip = 0;
      }
      return out;
    }
    const last = live[live.length - 1]!;
    const lines = this.total + (last[last.length - 1] === 10 ? 0 : 1);
    skip = lines - this.limit; // newlines to pass before the first wanted line
    const out: Buffer[] = [];
    for (const chunk of live) {
      const { offset: start, left } = skipNewlines(chunk, 0, skip);
      skip = left;
      if (skip > 0) continue;
      if (start < chunk.length) out.push(start > 0 ? chunk.subarray(start) : chunk);
    }
    return out;
  }
}

const EMPTY = Buffer.alloc(0);
