import { keyHashes } from './bloom-filter.js';
import type { SegmentReader } from './segment-reader.js';
import { compareKeys } from './key-compare.js';

/**
 * One immutable set of live segments, by level. Level 0 holds flushed memtables, which may overlap, newest
 * first; every deeper level is one sorted run of non-overlapping segments ordered by key. A new Version is
 * made for every flush or compaction; readers that started earlier keep the one they took.
 */
export class Version {
  constructor(readonly levels: readonly (readonly SegmentReader[])[]) {}

  static empty(): Version {
    return new Version([[]]);
  }

  all(): SegmentReader[] {
    return this.levels.flat();
  }

  levelBytes(level: number): number {
    let n = 0;
    for (const s of this.levels[level] ?? []) n += s.sizeBytes;
    return n;
  }

  /** Newest value of `key` among the segments: Buffer, null (deleted) or undefined (no segment holds it). */
  get(key: Buffer): Buffer | null | undefined {
    const l0 = this.levels[0]!;
    if (l0.length === 0 && this.levels.length === 1) return undefined;
    const hashes = keyHashes(key);
    for (let i = 0; i < l0.length; i++) {
      const v = l0[i]!.get(key, hashes);
      if (v !== undefined) return v;
    }
    for (let level = 1; level < this.levels.length; level++) {
      const seg = findCovering(this.levels[level]!, key);
      if (seg !== undefined) {
        const v = seg.get(key, hashes);
        if (v !== undefined) return v;
      }
    }
    return undefined;
  }

  /** Segments of a sorted level whose range meets [lo, hi]. */
  overlapping(level: number, lo: Buffer, hi: Buffer): SegmentReader[] {
    return (this.levels[level] ?? []).filter((s) => s.overlaps(lo, hi));
  }
}

/** In a sorted run, the one segment whose range holds `key`, if any. */
export function findCovering<S extends { minKey: Buffer; maxKey: Buffer }>(
  run: readonly S[],
  key: Buffer,
): S | undefined {
  let lo = 0;
  let hi = run.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (compareKeys(run[mid]!.maxKey, key) < 0) lo = mid + 1;
    else hi = mid;
  }
  const s = run[lo];
  return s !== undefined && compareKeys(s.minKey, key) <= 0 ? s : undefined;
}
