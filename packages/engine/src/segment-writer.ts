import { open } from 'node:fs/promises';
import { crc32 } from 'node:zlib';
import { compressSync } from 'snappy';
import { BloomFilterBuilder } from './bloom-filter.js';
import { copyBytes } from './byte-copy.js';
import { DataBlockBuilder } from './data-block.js';
import {
  BLOCK_TRAILER,
  BLOCK_TYPE_NONE,
  BLOCK_TYPE_SNAPPY,
  DATA_BLOCK_TRAILER,
  encodeFooter,
  FOOTER_SIZE,
  FORMAT_VERSION,
  writeU64,
  type SegmentProperties,
} from './segment-format.js';

/**
 * Builds a segment in memory from entries added in strictly increasing key order. Segments are bounded by
 * segmentSize (or one memtable), so holding one in memory costs at most a few MiB and lets the file be
 * written with a single writev and one fdatasync.
 */
export class SegmentBuilder {
  private readonly chunks: Buffer[] = [];
  private size = 0;
  private readonly block: DataBlockBuilder;
  /** The last key added is lastBuf[lastOff, lastOff + lastLen): copied only when a block ends. */
  private lastBuf: Buffer | null = null;
  private lastOff = 0;
  private lastLen = 0;
  private firstKey: Buffer | null = null;
  private readonly index: { offset: number; length: number; lastKey: Buffer }[] = [];
  private readonly bloom: BloomFilterBuilder | null;
  entries = 0;
  tombstones = 0;

  constructor(
    private readonly blockSize: number,
    private readonly bloomBitsPerKey: number,
  ) {
    this.bloom = bloomBitsPerKey > 0 ? new BloomFilterBuilder(bloomBitsPerKey) : null;
    this.block = new DataBlockBuilder(blockSize + 512);
  }

  add(key: Buffer, value: Buffer | null): void {
    this.addSlices(key, 0, key.length, value, 0, value === null ? 0 : value.length);
  }

  /**
   * As add, with key kbuf[koff, koff + klen) and value vbuf[voff, voff + vlen) (vbuf null: a tombstone),
   * so a flush copies each entry straight from the log record without making views. The buffers must stay
   * unchanged until the next add or finish.
   */
  addSlices(kbuf: Buffer, koff: number, klen: number, vbuf: Buffer | null, voff: number, vlen: number): void {
    this.block.addSlices(kbuf, koff, klen, vbuf, voff, vlen);
    if (vbuf === null) this.tombstones++;
    this.bloom?.addSlice(kbuf, koff, klen);
    if (this.firstKey === null) this.firstKey = copyOf(kbuf, koff, klen);
    this.lastBuf = kbuf;
    this.lastOff = koff;
    this.lastLen = klen;
    this.entries++;
    if (this.block.size >= this.blockSize) this.finishBlock();
  }

  /** Bytes the file would have if finished now, without index, filter and footer. */
  get estimatedSize(): number {
    return this.size + this.block.size;
  }

  private finishBlock(): void {
    if (this.block.count === 0) return;
    const raw = this.block.finish();
    // As LevelDB: keep the compressed form only when it saves at least 12.5%.
    const packed = compressSync(raw);
    const compressed = packed.length < raw.length - (raw.length >>> 3);
    const body = compressed ? packed : raw;
    // The last key is copied: the caller's buffer may be reused once add() returns.
    this.index.push({
      offset: this.size,
      length: body.length,
      lastKey: copyOf(this.lastBuf!, this.lastOff, this.lastLen),
    });
    const trailer = Buffer.allocUnsafe(DATA_BLOCK_TRAILER);
    trailer[0] = compressed ? BLOCK_TYPE_SNAPPY : BLOCK_TYPE_NONE;
    trailer.writeUInt32LE(crc32(trailer.subarray(0, 1), crc32(body)), 1);
    this.chunks.push(body, trailer);
    this.size += body.length + DATA_BLOCK_TRAILER;
  }

  private push(body: Buffer): { offset: number; length: number } {
    const offset = this.size;
    const crc = Buffer.allocUnsafe(BLOCK_TRAILER);
    crc.writeUInt32LE(crc32(body), 0);
    this.chunks.push(body, crc);
    this.size += body.length + BLOCK_TRAILER;
    return { offset, length: body.length };
  }

  /** Completes the file; returns its chunks and properties. At least one entry must have been added. */
  finish(createdAt = Date.now()): { chunks: Buffer[]; size: number; props: SegmentProperties } {
    this.finishBlock();
    let indexSize = 0;
    for (const e of this.index) indexSize += 16 + e.lastKey.length;
    const index = Buffer.allocUnsafe(indexSize);
    let o = 0;
    for (const e of this.index) {
      o = writeU64(index, e.offset, o);
      o = index.writeUInt32LE(e.length, o);
      o = index.writeUInt32LE(e.lastKey.length, o);
      o += e.lastKey.copy(index, o);
    }
    const ix = this.push(index);
    const bloomBlock = this.bloom?.finish() ?? Buffer.alloc(0);
    const bl = this.push(bloomBlock);
    const props: SegmentProperties = {
      entries: this.entries,
      tombstones: this.tombstones,
      minKey: (this.firstKey ?? Buffer.alloc(0)).toString('hex'),
      maxKey: (this.index[this.index.length - 1]?.lastKey ?? Buffer.alloc(0)).toString('hex'),
      createdAt,
      bloomBitsPerKey: this.bloomBitsPerKey,
      bloomHashes: bloomBlock.length > 0 ? bloomBlock[0]! : 0,
    };
    const pr = this.push(Buffer.from(JSON.stringify(props), 'utf8'));
    const footer = encodeFooter({
      indexOffset: ix.offset,
      indexLength: ix.length,
      bloomOffset: bl.offset,
      bloomLength: bl.length,
      propsOffset: pr.offset,
      propsLength: pr.length,
      version: FORMAT_VERSION,
    });
    this.chunks.push(footer);
    this.size += FOOTER_SIZE;
    return { chunks: this.chunks, size: this.size, props };
  }
}

function copyOf(buf: Buffer, start: number, len: number): Buffer {
  const out = Buffer.allocUnsafe(len);
  copyBytes(buf, start, len, out, 0);
  return out;
}

/** Writes a new segment file durably. 'wx': file numbers are never reused, nothing is overwritten. */
export async function writeSegmentFile(path: string, chunks: Buffer[]): Promise<void> {
  const fh = await open(path, 'wx', 0o644);
  try {
    // writev takes at most IOV_MAX (1024) buffers per call.
    for (let i = 0; i < chunks.length; i += 1024) {
      const part = chunks.slice(i, i + 1024);
      let total = 0;
      for (const c of part) total += c.length;
      let written = (await fh.writev(part)).bytesWritten;
      if (written < total) {
        const rest = Buffer.concat(part).subarray(written);
        while (written < total) written += (await fh.write(rest, written - (total - rest.length))).bytesWritten;
      }
    }
    await fh.datasync();
  } finally {
    await fh.close();
  }
}
