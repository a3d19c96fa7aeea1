import { closeSync, fstatSync, openSync, unlinkSync } from 'node:fs';
import { CorruptionError, FileAccessError } from '@esc/core';
import { BloomFilter } from './bloom-filter.js';
import { BLOCKS_PER_SEGMENT, type BlockCache } from './block-cache.js';
import type { DataBlock } from './data-block.js';
import { compareKeys } from './key-compare.js';
import { FORMAT_VERSION_UNCOMPRESSED, type SegmentProperties } from './segment-format.js';
import { readChecked, readDataBlock, readExact } from './segment-block-io.js';
import { parseIndex, readFooter } from './segment-index.js';

/** Bloom filter outcomes on lookups of keys a segment does not hold: how often the filter said "maybe". */
export interface BloomStats {
  probes: number;
  falsePositives: number;
}

const NO_PROPERTIES: SegmentProperties = {
  entries: 0,
  tombstones: 0,
  minKey: '',
  maxKey: '',
  createdAt: 0,
  bloomBitsPerKey: 0,
  bloomHashes: 0,
};

/**
 * An open segment: the file descriptor stays open, and the sparse index (last key of every block), the
 * bloom filter and the properties live in memory, so a lookup costs at most one pread of one block, and
 * none when the key range or the filter rules the key out.
 *
 * Reference counted: the engine's current set of live segments holds one reference, every iterator and
 * running compaction another. A segment replaced by compaction is deleted when the last reference goes.
 */
export class SegmentReader {
  /** @internal */
  fd = -1;
  private lastKeys: Buffer[] = [];
  private offsets: number[] = [];
  private lengths: number[] = [];
  private bloom: BloomFilter | null = null;
  props: SegmentProperties;
  minKey: Buffer;
  maxKey: Buffer;
  sizeBytes = 0;
  /** Set when the file failed to load: every read that reaches this segment throws it. */
  loadError: CorruptionError | null = null;
  private refs = 1;
  /** Delete the file when the last reference goes. */
  obsolete = false;
  private readonly cacheBase: number;
  /** Format version 1 segments store data blocks raw with a plain crc32 trailer. */
  private typedBlocks = true;

  private constructor(
    readonly id: number,
    readonly path: string,
    private readonly cache: BlockCache | null,
    private readonly stats: BloomStats | null,
    fallback: SegmentProperties | null,
  ) {
    this.cacheBase = id * BLOCKS_PER_SEGMENT;
    this.props = fallback ?? NO_PROPERTIES;
    this.minKey = Buffer.from(this.props.minKey, 'hex');
    this.maxKey = Buffer.from(this.props.maxKey, 'hex');
  }

  /**
   * Opens a segment. A damaged footer, index, filter or properties block does not throw when `fallback`
   * (the manifest's copy of the properties) is given: the reader records the error and raises it on every
   * read that reaches it, so the engine still opens and verify() can report the damage.
   */
  static open(
    id: number,
    path: string,
    cache: BlockCache | null,
    stats: BloomStats | null,
    fallback: SegmentProperties | null = null,
  ): SegmentReader {
    const r = new SegmentReader(id, path, cache, stats, fallback);
    try {
      r.fd = openSync(path, 'r');
    } catch (err) {
      throw new FileAccessError(path, err);
    }
    try {
      r.load();
    } catch (err) {
      if (!(err instanceof CorruptionError) || fallback === null) {
        closeSync(r.fd);
        throw err;
      }
      r.loadError = err;
    }
    return r;
  }

  private load(): void {
    this.sizeBytes = fstatSync(this.fd).size;
    const footer = readFooter(this.path, this.sizeBytes, (o, l) => readExact(this, o, l));
    this.typedBlocks = footer.version !== FORMAT_VERSION_UNCOMPRESSED;
    const index = parseIndex(
      readChecked(this, footer.indexOffset, footer.indexLength, 'index block'),
      this.path,
      footer.indexOffset,
    );
    this.offsets = index.offsets;
    this.lengths = index.lengths;
    this.lastKeys = index.lastKeys;
    if (footer.bloomLength > 0) {
      const bloom = readChecked(this, footer.bloomOffset, footer.bloomLength, 'bloom filter block');
      try {
        this.bloom = new BloomFilter(bloom);
      } catch (err) {
        throw new CorruptionError((err as Error).message, { path: this.path, offset: footer.bloomOffset });
      }
    }
    const propsBuf = readChecked(this, footer.propsOffset, footer.propsLength, 'properties block');
    try {
      this.props = JSON.parse(propsBuf.toString('utf8')) as SegmentProperties;
    } catch {
      throw new CorruptionError('properties block is not valid JSON', { path: this.path, offset: footer.propsOffset });
    }
    this.minKey = Buffer.from(this.props.minKey, 'hex');
    this.maxKey = Buffer.from(this.props.maxKey, 'hex');
  }

  get blockCount(): number {
    return this.lastKeys.length;
  }

  blockOffset(i: number): number {
    return this.offsets[i]!;
  }

  /** Whether `key` lies inside [minKey, maxKey]. */
  covers(key: Buffer): boolean {
    return compareKeys(key, this.minKey) >= 0 && compareKeys(key, this.maxKey) <= 0;
  }

  overlaps(lo: Buffer, hi: Buffer): boolean {
    return compareKeys(this.minKey, hi) <= 0 && compareKeys(lo, this.maxKey) <= 0;
  }

  /** Index of the first block whose last key is >= key; blockCount if none. */
  findBlock(key: Buffer): number {
    let lo = 0;
    let hi = this.lastKeys.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (compareKeys(this.lastKeys[mid]!, key) < 0) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  block(i: number): DataBlock {
    if (this.loadError) throw this.loadError;
    const cacheKey = this.cacheBase + i;
    const cached = this.cache?.get(cacheKey);
    if (cached !== undefined) return cached;
    const block = this.readBlockUncached(i);
    this.cache?.set(cacheKey, block);
    return block;
  }

  /** Data block i read from the file, bypassing (and not filling) the block cache. */
  readBlockUncached(i: number): DataBlock {
    return readDataBlock(this, this.offsets[i]!, this.lengths[i]!, this.typedBlocks);
  }

  /**
   * The value of `key` here: a Buffer, null for a tombstone, undefined when this segment does not hold it.
   * `hashes` are the key's bloom hashes (keyHashes), computed once by the caller for every segment it asks.
   */
  get(key: Buffer, hashes?: [number, number]): Buffer | null | undefined {
    if (!this.covers(key)) return undefined;
    if (this.loadError) throw this.loadError;
    if (
      this.bloom !== null &&
      !(hashes === undefined ? this.bloom.mayContain(key) : this.bloom.mayContainHashed(hashes[0], hashes[1]))
    ) {
      if (this.stats) this.stats.probes++;
      return undefined;
    }
    const bi = this.findBlock(key);
    if (bi < this.lastKeys.length) {
      const b = this.block(bi);
      const i = b.lowerBound(key);
      if (i < b.count && b.compareAt(i, key) === 0) return b.valueAt(i);
    }
    if (this.bloom !== null && this.stats) {
      this.stats.probes++;
      this.stats.falsePositives++;
    }
    return undefined;
  }

  ref(): void {
    this.refs++;
  }

  unref(): void {
    if (--this.refs > 0) return;
    if (this.fd >= 0) closeSync(this.fd);
    this.fd = -1;
    this.cache?.evictSegment(this.id);
    if (this.obsolete) {
      try {
        unlinkSync(this.path);
      } catch {
        /* already gone: a previous run removed it before crashing */
      }
    }
  }
}
