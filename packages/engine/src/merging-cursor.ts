import type { SegmentReader } from './segment-reader.js';
import { SegmentCursor } from './segment-cursor.js';
import { compareKeys, keysEqual } from './key-compare.js';

/** A position in one sorted source of entries; value null is a tombstone. */
export interface Cursor {
  readonly valid: boolean;
  readonly key: Buffer;
  readonly value: Buffer | null;
  /** Forward: first key >= start (> when not inclusive); reverse: last key <= start (<). null: from the end. */
  seek(start: Buffer | null, inclusive: boolean): void;
  next(): void;
}

/**
 * Merges sources given newest first into one ordered stream with one entry per key: where several sources
 * hold a key, the newest wins and the others are skipped. Tombstones are kept (the engine's iterator
 * hides them; compaction needs them). The sources are few (memtables, level-0 segments, one cursor per
 * deeper level), so a linear scan for the smallest key beats a heap.
 */
export class MergingCursor implements Cursor {
  private current = -1;

  constructor(
    private readonly sources: Cursor[],
    private readonly reverse: boolean,
  ) {}

  get valid(): boolean {
    return this.current >= 0;
  }
  get key(): Buffer {
    return this.sources[this.current]!.key;
  }
  get value(): Buffer | null {
    return this.sources[this.current]!.value;
  }

  seek(start: Buffer | null, inclusive: boolean): void {
    for (const s of this.sources) s.seek(start, inclusive);
    this.pick();
  }

  next(): void {
    if (this.current < 0) return;
    const key = this.sources[this.current]!.key;
    for (const s of this.sources) if (s.valid && keysEqual(s.key, key)) s.next();
    this.pick();
  }

  private pick(): void {
    let best = -1;
    let bestKey: Buffer | null = null;
    const dir = this.reverse ? -1 : 1;
    for (let i = 0; i < this.sources.length; i++) {
      const s = this.sources[i]!;
      if (!s.valid) continue;
      // Strictly better only: on a tie the earlier (newer) source keeps the win.
      if (bestKey === null || compareKeys(s.key, bestKey) * dir < 0) {
        best = i;
        bestKey = s.key;
      }
    }
    this.current = best;
  }
}

/**
 * Walks one sorted run of non-overlapping segments (a level from 1 on) as one source, opening a segment's
 * cursor only when the walk reaches it.
 */
export class LevelCursor implements Cursor {
  private i = -1;
  private cur: SegmentCursor | null = null;

  constructor(
    private readonly segments: readonly SegmentReader[],
    private readonly reverse: boolean,
  ) {}

  get valid(): boolean {
    return this.cur?.valid === true;
  }
  get key(): Buffer {
    return this.cur!.key;
  }
  get value(): Buffer | null {
    return this.cur!.value;
  }

  seek(start: Buffer | null, inclusive: boolean): void {
    const segs = this.segments;
    if (!this.reverse) {
      let i = 0;
      if (start !== null) while (i < segs.length && compareKeys(segs[i]!.maxKey, start) < 0) i++;
      this.open(i, start, inclusive);
    } else {
      let i = segs.length - 1;
      if (start !== null) while (i >= 0 && compareKeys(segs[i]!.minKey, start) > 0) i--;
      this.open(i, start, inclusive);
    }
  }

  next(): void {
    if (this.cur === null) return;
    this.cur.next();
    if (!this.cur.valid) this.open(this.i + (this.reverse ? -1 : 1), null, true);
  }

  private open(i: number, start: Buffer | null, inclusive: boolean): void {
    for (;;) {
      if (i < 0 || i >= this.segments.length) {
        this.cur = null;
        return;
      }
      this.i = i;
      this.cur = new SegmentCursor(this.segments[i]!, this.reverse);
      this.cur.seek(start, inclusive);
      if (this.cur.valid) return;
      start = null;
      i += this.reverse ? -1 : 1;
    }
  }
}
