import { skipNewlinesBackward } from './newline-scan.js';

/**
 * The last N lines (or bytes) of a stream that cannot be read backwards (a pipe, a terminal). Chunks are
 * kept in arrival order; every time the kept bytes double (and at least every MiB) the start of the last N
 * lines is found by scanning backwards from the newest chunk, and everything before it is dropped. Memory
 * stays within about twice (N lines + one MiB), and the work per prune is proportional to N, not to the
 * stream, so a long pipe costs little more than reading it. Chunks need not end at a newline.
 * @internal Used inside the package and by its tests; not part of the public API.
 */
export class TailRing {
  private chunks: Buffer[] = [];
  private keptBytes = 0;
  private pruneAt = PRUNE_MIN;

  constructor(
    private readonly limit: number,
    private readonly unit: 'lines' | 'bytes',
  ) {}

  push(chunk: Buffer): void {
    if (this.limit <= 0 || chunk.length === 0) return;
    // A small view would pin its (often much larger) read buffer for as long as it is kept: copy it instead.
    this.chunks.push(chunk.buffer.byteLength > 2 * chunk.length ? Buffer.from(chunk) : chunk);
    this.keptBytes += chunk.length;
    if (this.keptBytes >= this.pruneAt) {
      this.prune();
      this.pruneAt = Math.max(PRUNE_MIN, 2 * this.keptBytes);
    }
  }

  /** The kept tail, as slices in order. */
  contents(): Buffer[] {
    const start = this.start();
    if (start === null) return this.chunks.slice();
    return [this.chunks[start.chunk]!.subarray(start.offset), ...this.chunks.slice(start.chunk + 1)];
  }

  /** Drops the chunks before the one where the tail starts; later data can only move that start forward. */
  private prune(): void {
    const start = this.start();
    if (start === null || start.chunk === 0) return;
    for (const dropped of this.chunks.splice(0, start.chunk)) this.keptBytes -= dropped.length;
  }

  /** Where the last `limit` lines (or bytes) begin, or null when everything kept belongs to them. */
  private start(): { chunk: number; offset: number } | null {
    const chunks = this.chunks;
    if (this.unit === 'bytes') {
      let wanted = this.limit;
      for (let i = chunks.length - 1; i >= 0; i--) {
        const length = chunks[i]!.length;
        if (length >= wanted) return { chunk: i, offset: length - wanted };
        wanted -= length;
      }
      return null;
    }
    // As tail counts: the data's final newline closes the last line; a final line without one counts.
    let remaining = this.limit;
    let skipFinalNewline = true;
    for (let i = chunks.length - 1; i >= 0; i--) {
      const chunk = chunks[i]!;
      let limit = chunk.length;
      if (skipFinalNewline) {
        skipFinalNewline = false;
        if (chunk[limit - 1] === 10) limit--;
      }
      const found = skipNewlinesBackward(chunk, limit, remaining);
      if (found.left === 0) return { chunk: i, offset: found.offset };
      remaining = found.left;
    }
    return null;
  }
}

const PRUNE_MIN = 1024 * 1024;
