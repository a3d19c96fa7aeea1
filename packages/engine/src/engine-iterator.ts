import type { Bytes } from './key-compare.js';
import { asBuffer, compareKeys } from './key-compare.js';
import { MemtableCursor, type Memtable } from './memtable.js';
import { LevelCursor, MergingCursor, type Cursor } from './merging-cursor.js';
import { SegmentCursor } from './segment-cursor.js';
import type { Version } from './version.js';

export interface RangeOptions {
  gt?: Bytes;
  gte?: Bytes;
  lt?: Bytes;
  lte?: Bytes;
  reverse?: boolean;
  /** At most this many entries; negative or absent means no limit. */
  limit?: number;
}

/** Ordered [key, value] pairs of a range as of the iterator's creation. Close it (or run it to the end). */
export interface EngineIterator extends AsyncIterableIterator<[Buffer, Buffer]> {
  close(): Promise<void>;
  /**
   * @internal The next entry without a promise, undefined at the end: the abstract-level adapter fills a batch
   * of entries for one promise. Not part of the published API (stripInternal).
   */
  nextSync(): [Buffer, Buffer] | undefined;
}

const DONE: IteratorResult<[Buffer, Buffer]> = { done: true, value: undefined };

/**
 * An iterator over a consistent snapshot: the memtables it was given (filtered by the sequence number
 * current at creation, so later writes stay invisible) and one Version whose segments it holds a reference
 * on until it closes, so compaction cannot delete a file it still reads.
 */
export class SnapshotIterator implements EngineIterator {
  private readonly cursor: MergingCursor;
  private readonly segments;
  private readonly upper: Buffer | null;
  private readonly upperInclusive: boolean;
  private readonly lower: Buffer | null;
  private readonly lowerInclusive: boolean;
  private readonly reverse: boolean;
  private remaining: number;
  private started = false;
  private closed = false;

  constructor(memtables: readonly Memtable[], snapshot: number, version: Version, options: RangeOptions = {}) {
    this.reverse = options.reverse === true;
    this.lower =
      options.gt !== undefined ? asBuffer(options.gt) : options.gte !== undefined ? asBuffer(options.gte) : null;
    this.lowerInclusive = options.gt === undefined;
    this.upper =
      options.lt !== undefined ? asBuffer(options.lt) : options.lte !== undefined ? asBuffer(options.lte) : null;
    this.upperInclusive = options.lt === undefined;
    this.remaining = options.limit === undefined || options.limit < 0 ? Infinity : options.limit;
    const sources: Cursor[] = memtables.map((m) => new MemtableCursor(m, snapshot, this.reverse));
    for (const s of version.levels[0]!) sources.push(new SegmentCursor(s, this.reverse));
    for (let l = 1; l < version.levels.length; l++)
      if (version.levels[l]!.length > 0) sources.push(new LevelCursor(version.levels[l]!, this.reverse));
    this.cursor = new MergingCursor(sources, this.reverse);
    this.segments = version.all();
    for (const s of this.segments) s.ref();
  }

  /** The next live entry, synchronously; undefined at the end. Keys and values are private copies. */
  nextSync(): [Buffer, Buffer] | undefined {
    if (this.closed) return undefined;
    const c = this.cursor;
    try {
      if (!this.started) {
        this.started = true;
        if (this.reverse) c.seek(this.upper, this.upperInclusive);
        else c.seek(this.lower, this.lowerInclusive);
      } else c.next();
      for (;;) {
        if (!c.valid || this.remaining <= 0 || this.pastEnd(c.key)) {
          this.release();
          return undefined;
        }
        const v = c.value;
        if (v !== null) {
          this.remaining--;
          // One allocation for both copies: the pair usually fits the shared allocation pool.
          const k = c.key;
          const both = Buffer.allocUnsafe(k.length + v.length);
          k.copy(both, 0);
          v.copy(both, k.length);
          return [both.subarray(0, k.length), both.subarray(k.length)];
        }
        c.next();
      }
    } catch (err) {
      this.release();
      throw err;
    }
  }

  private pastEnd(key: Buffer): boolean {
    if (this.reverse) {
      if (this.lower === null) return false;
      const cmp = compareKeys(key, this.lower);
      return cmp < 0 || (cmp === 0 && !this.lowerInclusive);
    }
    if (this.upper === null) return false;
    const cmp = compareKeys(key, this.upper);
    return cmp > 0 || (cmp === 0 && !this.upperInclusive);
  }

  next(): Promise<IteratorResult<[Buffer, Buffer]>> {
    try {
      const e = this.nextSync();
      return Promise.resolve(e === undefined ? DONE : { done: false, value: e });
    } catch (err) {
      return Promise.reject(err);
    }
  }

  return(): Promise<IteratorResult<[Buffer, Buffer]>> {
    this.release();
    return Promise.resolve(DONE);
  }

  close(): Promise<void> {
    this.release();
    return Promise.resolve();
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  private release(): void {
    if (this.closed) return;
    this.closed = true;
    for (const s of this.segments) s.unref();
  }
}
