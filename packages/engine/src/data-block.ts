import { CorruptionError } from '@esc/core';
import { TOMBSTONE_LENGTH } from './segment-format.js';
import { copyBytes } from './byte-copy.js';
import { compareKeys, compareSlice } from './key-compare.js';

/**
 * A data block as stored (docs/formats/segment.md, "Data blocks"), read in place without parsing:
 *
 *   entry 0 … entry n-1    u32 LE key length, u32 LE value length (0xFFFFFFFF = tombstone), key, value
 *   n × u32 LE             offset of each entry from the block start
 *   u32 LE                 n
 *
 * The offset array lets a lookup binary-search the block directly, so a read allocates nothing but the
 * block and the value it returns, and a cached block costs no work to use.
 */
export class DataBlock {
  readonly count: number;
  private readonly offsetsAt: number;

  constructor(
    readonly buf: Buffer,
    readonly path: string,
    readonly fileOffset: number,
  ) {
    if (buf.length < 4) throw new CorruptionError('data block too short', { path, offset: fileOffset });
    this.count = buf.readUInt32LE(buf.length - 4);
    this.offsetsAt = buf.length - 4 - 4 * this.count;
    if (this.offsetsAt < 0)
      throw new CorruptionError('data block entry count is out of range', { path, offset: fileOffset });
  }

  get bytes(): number {
    return this.buf.length + 64;
  }

  private entryAt(i: number): number {
    return this.buf.readUInt32LE(this.offsetsAt + 4 * i);
  }

  keyAt(i: number): Buffer {
    const o = this.entryAt(i);
    return this.buf.subarray(o + 8, o + 8 + this.buf.readUInt32LE(o));
  }

  /** null is a tombstone. */
  valueAt(i: number): Buffer | null {
    const o = this.entryAt(i);
    const kl = this.buf.readUInt32LE(o);
    const vl = this.buf.readUInt32LE(o + 4);
    if (vl === TOMBSTONE_LENGTH) return null;
    const start = o + 8 + kl;
    return this.buf.subarray(start, start + vl);
  }

  /** Sign of (key i − key), compared in place. */
  compareAt(i: number, key: Buffer): number {
    const o = this.entryAt(i);
    const start = o + 8;
    return compareSlice(this.buf, start, this.buf.readUInt32LE(o), key);
  }

  /** Index of the first key >= key; count if none. */
  lowerBound(key: Buffer): number {
    let lo = 0;
    let hi = this.count;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.compareAt(mid, key) < 0) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Checks that every offset and length stays inside the block and the entries are in strict key order. */
  validate(): void {
    let expected = 0;
    let prev: Buffer | null = null;
    for (let i = 0; i < this.count; i++) {
      const o = this.entryAt(i);
      if (o !== expected || o + 8 > this.offsetsAt)
        throw new CorruptionError(`data block entry ${i} is misplaced`, {
          path: this.path,
          offset: this.fileOffset + o,
        });
      const kl = this.buf.readUInt32LE(o);
      const vl = this.buf.readUInt32LE(o + 4);
      const end = o + 8 + kl + (vl === TOMBSTONE_LENGTH ? 0 : vl);
      if (end > this.offsetsAt)
        throw new CorruptionError(`data block entry ${i} runs past the entries`, {
          path: this.path,
          offset: this.fileOffset + o,
        });
      const key = this.keyAt(i);
      if (prev !== null && compareKeys(prev, key) >= 0)
        throw new CorruptionError(`data block keys out of order at entry ${i}`, {
          path: this.path,
          offset: this.fileOffset + o,
        });
      prev = key;
      expected = end;
    }
    if (expected !== this.offsetsAt)
      throw new CorruptionError('data block has bytes between its entries and its offsets', {
        path: this.path,
        offset: this.fileOffset + expected,
      });
  }
}

/** Accumulates entries of one data block in a reusable buffer. */
export class DataBlockBuilder {
  private buf: Buffer;
  private used = 0;
  private readonly offsets: number[] = [];

  constructor(initial: number) {
    this.buf = Buffer.allocUnsafe(Math.max(256, initial));
  }

  get size(): number {
    return this.used;
  }
  get count(): number {
    return this.offsets.length;
  }

  add(key: Buffer, value: Buffer | null): void {
    this.addSlices(key, 0, key.length, value, 0, value === null ? 0 : value.length);
  }

  /** Adds key kbuf[koff, koff + klen) with value vbuf[voff, voff + vlen) (vbuf null: a tombstone). */
  addSlices(kbuf: Buffer, koff: number, klen: number, vbuf: Buffer | null, voff: number, vlen: number): void {
    const need = 8 + klen + (vbuf === null ? 0 : vlen);
    if (this.used + need > this.buf.length) {
      const bigger = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.used + need));
      this.buf.copy(bigger, 0, 0, this.used);
      this.buf = bigger;
    }
    this.offsets.push(this.used);
    let o = this.buf.writeUInt32LE(klen, this.used);
    o = this.buf.writeUInt32LE(vbuf === null ? TOMBSTONE_LENGTH : vlen, o);
    o = copyBytes(kbuf, koff, klen, this.buf, o);
    if (vbuf !== null) o = copyBytes(vbuf, voff, vlen, this.buf, o);
    this.used = o;
  }

  /** The finished block (a fresh buffer) and a reset builder. */
  finish(): Buffer {
    const out = Buffer.allocUnsafe(this.used + 4 * this.offsets.length + 4);
    this.buf.copy(out, 0, 0, this.used);
    let o = this.used;
    for (const off of this.offsets) o = out.writeUInt32LE(off, o);
    out.writeUInt32LE(this.offsets.length, o);
    this.used = 0;
    this.offsets.length = 0;
    return out;
  }
}
