import type { DataBlock } from './data-block.js';

/**
 * Least-recently-used cache of checked data blocks shared by all segments of an engine, bounded in bytes.
 * A Map keeps insertion order, so re-inserting on a hit makes the first entry the least recently used.
 */
export class BlockCache {
  private readonly map = new Map<number, DataBlock>();
  private used = 0;

  constructor(private readonly capacity: number) {}

  get(key: number): DataBlock | undefined {
    const b = this.map.get(key);
    if (b !== undefined) {
      this.map.delete(key);
      this.map.set(key, b);
    }
    return b;
  }

  set(key: number, block: DataBlock): void {
    if (block.bytes > this.capacity) return;
    const old = this.map.get(key);
    if (old !== undefined) {
      this.used -= old.bytes;
      this.map.delete(key);
    }
    this.map.set(key, block);
    this.used += block.bytes;
    for (const [k, b] of this.map) {
      if (this.used <= this.capacity) break;
      this.map.delete(k);
      this.used -= b.bytes;
    }
  }

  /** Drops the blocks of a segment whose file is gone. */
  evictSegment(segmentId: number): void {
    for (const [k, b] of this.map) {
      if (Math.floor(k / BLOCKS_PER_SEGMENT) === segmentId) {
        this.map.delete(k);
        this.used -= b.bytes;
      }
    }
  }
}

/** Cache keys are segmentId · 2^20 + block index: numbers hash faster than strings and need no allocation. */
export const BLOCKS_PER_SEGMENT = 1 << 20;
