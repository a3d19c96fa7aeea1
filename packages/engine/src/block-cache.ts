/** A data block parsed into parallel arrays of keys and values (subarrays of one read buffer). */
export interface ParsedBlock {
  keys: Buffer[];
  /** null is a tombstone. */
  values: (Buffer | null)[];
  bytes: number;
}

/**
 * Least-recently-used cache of parsed data blocks shared by all segments of an engine, bounded in bytes.
 * A Map keeps insertion order, so re-inserting on a hit makes the first entry the least recently used.
 */
export class BlockCache {
  private readonly map = new Map<string, ParsedBlock>();
  private used = 0;

  constructor(private readonly capacity: number) {}

  get(key: string): ParsedBlock | undefined {
    const b = this.map.get(key);
    if (b !== undefined) {
      this.map.delete(key);
      this.map.set(key, b);
    }
    return b;
  }

  set(key: string, block: ParsedBlock): void {
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
  evictPrefix(prefix: string): void {
    for (const [k, b] of this.map) {
      if (k.startsWith(prefix)) {
        this.map.delete(k);
        this.used -= b.bytes;
      }
    }
  }
}
