import { readSync } from 'node:fs';
import { FileAccessError } from '@esc/core';

/**
 * Reads a file by position in small windows, for the binary search over a sorted snapshot: each probe reads a
 * few KiB around a byte offset instead of the whole file. The last window is kept, since a probe's line
 * usually sits in the window that found its start.
 */
export class PositionalReader {
  private window = Buffer.alloc(0);
  private windowAt = 0;

  constructor(
    private readonly fd: number,
    private readonly path: string,
    /** Bytes read per window (grown for a line longer than this). */
    private readonly windowBytes = 4096,
  ) {}

  /** Offset of the first newline at or after `from` and before `limit`, or -1. */
  newlineFrom(from: number, limit: number): number {
    for (let at = from; at < limit; ) {
      const buf = this.at(at, Math.min(limit - at, this.windowBytes));
      const i = buf.indexOf(10);
      if (i !== -1) return at + i;
      at += buf.length;
      if (buf.length === 0) break;
    }
    return -1;
  }

  /** The bytes `[start, end)`. */
  read(start: number, end: number): Buffer {
    return this.at(start, end - start).subarray(0, end - start);
  }

  /** At least `len` bytes from `at` (fewer at the end of the file), from the kept window when it holds them. */
  private at(at: number, len: number): Buffer {
    const w = this.window;
    if (at >= this.windowAt && at + len <= this.windowAt + w.length) return w.subarray(at - this.windowAt);
    const buf = Buffer.allocUnsafe(Math.max(len, this.windowBytes));
    let got = 0;
    try {
      while (got < buf.length) {
        const n = readSync(this.fd, buf, got, buf.length - got, at + got);
        if (n === 0) break;
        got += n;
      }
    } catch (err) {
      throw new FileAccessError(this.path, err);
    }
    this.window = buf.subarray(0, got);
    this.windowAt = at;
    return this.window;
  }
}

/** One line of the searched range: where it starts and its bytes (without the newline). */
export interface ProbedLine {
  start: number;
  bytes: Buffer;
}

/**
 * Binary search over the lines in `[lo, hi)` of a file whose lines are sorted by key (`lo` is a line start,
 * `hi` the start of the line after the last). `keyOf` reads (and checks) one line's key; `compare` orders
 * keys. Each step reads the first line starting at or after the midpoint, so a lookup reads O(log n) lines
 * and never more of the file than those lines and the windows around them.
 */
export function searchSortedLines(
  reader: PositionalReader,
  lo: number,
  hi: number,
  target: string,
  keyOf: (line: ProbedLine) => string,
  compare: (a: string, b: string) => number,
): ProbedLine | null {
  // `hi` narrows to midpoints, which fall inside lines: a probed line is read to its newline, up to the real end.
  const end = hi;
  while (lo < hi) {
    const mid = lo + Math.floor((hi - lo) / 2);
    // The first line starting at or after mid: mid itself if a newline precedes it (lo always is a start).
    const before = mid === lo ? lo - 1 : reader.newlineFrom(mid - 1, hi);
    const start = before === -1 ? hi : before + 1;
    if (start >= hi) {
      hi = mid; // no line starts in [mid, hi)
      continue;
    }
    const nl = reader.newlineFrom(start, end);
    const lineEnd = nl === -1 ? end : nl;
    const line: ProbedLine = { start, bytes: reader.read(start, lineEnd) };
    const order = compare(target, keyOf(line));
    if (order === 0) return line;
    if (order < 0) hi = mid;
    else lo = lineEnd + 1;
  }
  return null;
}
