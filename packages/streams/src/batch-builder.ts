import { crc32c } from '@node-rs/crc32';
import { BATCH_HEADER_SIZE, BATCH_LENGTH_PREFIX, BATCH_MAGIC, fitsTimestampDelta, writeI64 } from './record-batch.js';

/**
 * A batch encoded before it has an offset: baseOffset (bytes 0..8) and the crc (12..16) are filled in by the
 * partition log under the topic's lock; `tailCrc` is the CRC-32C of bytes [16, end), computed once, which the
 * log combines with the CRC of the patched first 12 bytes (crc32c-combine.ts).
 */
export interface EncodedBatch {
  partition: number;
  bytes: Buffer;
  tailCrc: number;
  count: number;
  firstTimestamp: number;
  maxTimestamp: number;
  /** The builder whose memory `bytes` is, given back once written (null: the caller's own buffer). */
  owner: BatchBuilder | null;
}

type Bytes = Buffer | string | null;

export interface HeaderInput {
  key: string;
  value: Bytes;
}

/** Fixed fields of a record: length, offsetDelta, timestampDelta, keyLength, valueLength, headerCount. */
const RECORD_FIXED_SIZE = 24;
const SLAB_BYTES = 2 * 1024 * 1024;
const NO_HEADERS: readonly HeaderInput[] = [];

interface Utf8Writer {
  utf8Write(text: string, offset: number, length?: number): number;
}

/**
 * Encodes records straight into batches (docs/formats/streams-segment.md) in one pass: each field is stored
 * once into a reused slab of memory, strings are encoded in place (no Buffer per string), and the CRC of a
 * batch is computed once. The slab is given back when its batches are written, so a producer that awaits each
 * append writes from the same few hot megabytes every time (as a plain `write` loop from one buffer does).
 * One builder per topic and process; an append encodes synchronously, so appends never interleave in it.
 */
export class BatchBuilder {
  private slab = Buffer.allocUnsafeSlow(SLAB_BYTES);
  private view = new DataView(this.slab.buffer, this.slab.byteOffset, this.slab.length);
  /** Batches of the current slab not yet written. */
  private live = 0;
  private done: EncodedBatch[] = [];
  // The batch being built.
  private partition = 0;
  private limit = 0;
  private start = -1;
  private pos = 0;
  private count = 0;
  private firstTimestamp = 0;
  private maxTimestamp = 0;

  /** Starts the records of one partition; batches are cut at `limit` bytes. */
  begin(partition: number, limit: number): void {
    this.cut();
    this.partition = partition;
    this.limit = limit;
  }

  /** Appends one record to the batch being built; returns the bytes it took (its size in a batch). */
  add(key: Bytes, value: Bytes, headers: readonly HeaderInput[] | undefined, timestamp: number): number {
    if (this.count > 0 && !fitsTimestampDelta(this.firstTimestamp, timestamp)) this.cut();
    const hs = headers ?? NO_HEADERS;
    let most = RECORD_FIXED_SIZE + maxBytes(key) + maxBytes(value);
    for (const h of hs) most += 8 + 3 * h.key.length + maxBytes(h.value);
    this.ensure((this.count === 0 ? BATCH_HEADER_SIZE : 0) + most);
    if (this.count === 0) {
      this.start = this.pos;
      this.pos += BATCH_HEADER_SIZE;
      this.firstTimestamp = timestamp;
      this.maxTimestamp = timestamp;
    }
    const view = this.view;
    const at = this.pos;
    view.setUint32(at + 4, this.count);
    view.setInt32(at + 8, timestamp - this.firstTimestamp);
    let pos = this.put(key, at + 12);
    pos = this.put(value, pos);
    view.setUint32(pos, hs.length);
    pos += 4;
    for (const h of hs) {
      const n = (this.slab as unknown as Utf8Writer).utf8Write(h.key, pos + 4);
      view.setUint32(pos, n);
      pos = this.put(h.value, pos + 4 + n);
    }
    view.setUint32(at, pos - at - 4);
    this.pos = pos;
    this.count++;
    if (timestamp > this.maxTimestamp) this.maxTimestamp = timestamp;
    if (this.count > 1 && pos - this.start > this.limit) this.moveLastToNewBatch(at, timestamp);
    return pos - at;
  }

  /**
   * add() of `values.length` records given as columns, of one timestamp and no headers: the same bytes, with
   * the steady case (a batch under way, Buffer fields, room in the slab and under the limit) in one loop with
   * no call per field; the rest goes through add(). Returns the size of the first record over `maxSize` (the
   * caller discards what was encoded), or -1.
   */
  addColumns(keys: readonly Bytes[] | undefined, values: readonly Bytes[], timestamp: number, maxSize: number): number {
    const n = values.length;
    for (let i = 0; i < n; i++) {
      const key = keys === undefined ? null : keys[i]!;
      const value = values[i]!;
      const keyLength = key === null ? -1 : key.length;
      const valueLength = value === null ? -1 : value.length;
      const size = RECORD_FIXED_SIZE + Math.max(keyLength, 0) + Math.max(valueLength, 0);
      const at = this.pos;
      if (
        typeof key === 'string' ||
        typeof value === 'string' ||
        this.count === 0 ||
        at + size > this.slab.length ||
        at + size - this.start > this.limit ||
        timestamp !== this.firstTimestamp
      ) {
        const taken = this.add(key, value, undefined, timestamp);
        if (taken > maxSize) return taken;
        continue;
      }
      if (size > maxSize) return size;
      const view = this.view;
      const slab = this.slab;
      view.setUint32(at, size - 4);
      view.setUint32(at + 4, this.count);
      view.setInt32(at + 8, 0);
      view.setInt32(at + 12, keyLength);
      let pos = at + 16;
      if (keyLength > 0) {
        slab.set(key as Buffer, pos);
        pos += keyLength;
      }
      view.setInt32(pos, valueLength);
      pos += 4;
      if (valueLength > 0) {
        slab.set(value as Buffer, pos);
        pos += valueLength;
      }
      view.setUint32(pos, 0);
      this.pos = pos + 4;
      this.count++;
    }
    return -1;
  }

  /** Ends the batch being built and returns every batch made since the last call (or discard). */
  take(): EncodedBatch[] {
    this.cut();
    const out = this.done;
    this.done = [];
    return out;
  }

  /** Forgets what was encoded since the last take (a record was refused). */
  discard(): void {
    this.cut();
    for (const b of this.done) this.release(b);
    this.done = [];
  }

  /** Gives back the memory of a batch once written: when nothing of the slab is waiting, it is reused. */
  release(batch: EncodedBatch): void {
    if (batch.bytes.buffer !== this.slab.buffer) return;
    if (--this.live === 0 && this.count === 0) this.pos = 0;
  }

  private cut(): void {
    if (this.count === 0) return;
    const buf = this.slab;
    const start = this.start;
    const bytes = buf.subarray(start, this.pos);
    bytes.writeUInt32BE(0, 0); // baseOffset: the log fills it in
    bytes.writeUInt32BE(0, 4);
    bytes.writeUInt32BE(bytes.length - BATCH_LENGTH_PREFIX, 8);
    bytes[16] = BATCH_MAGIC;
    bytes[17] = 0;
    bytes.writeUInt32BE(this.count - 1, 18);
    writeI64(bytes, this.firstTimestamp, 22);
    writeI64(bytes, this.maxTimestamp, 30);
    bytes.writeUInt32BE(this.count, 38);
    this.done.push({
      partition: this.partition,
      bytes,
      tailCrc: crc32c(bytes.subarray(16)),
      count: this.count,
      firstTimestamp: this.firstTimestamp,
      maxTimestamp: this.maxTimestamp,
      owner: this,
    });
    this.live++;
    this.count = 0;
  }

  /** The record at `at` made the batch too large: it starts the next batch instead (rare: once per limit). */
  private moveLastToNewBatch(at: number, timestamp: number): void {
    const size = this.pos - at;
    const inBatch = at - this.start;
    // Room for the new batch's header; the batch being built (with the record) may move to a new slab.
    this.ensure(BATCH_HEADER_SIZE);
    const from = this.start + inBatch;
    this.pos = from;
    this.count--;
    // maxTimestamp may have come from the moved record: recompute it from the records left.
    let max = this.firstTimestamp;
    for (let p = this.start + BATCH_HEADER_SIZE; p < from; p += 4 + this.view.getUint32(p))
      max = Math.max(max, this.firstTimestamp + this.view.getInt32(p + 8));
    this.maxTimestamp = max;
    this.cut();
    const to = from + BATCH_HEADER_SIZE;
    this.slab.copyWithin(to, from, from + size);
    this.view.setUint32(to + 4, 0);
    this.view.setInt32(to + 8, 0);
    this.start = from;
    this.pos = to + size;
    this.count = 1;
    this.firstTimestamp = timestamp;
    this.maxTimestamp = timestamp;
  }

  /** Room for `n` more bytes: a new slab when the current one is full, the batch being built moved into it. */
  private ensure(n: number): void {
    if (this.pos + n <= this.slab.length) return;
    const from = this.count > 0 ? this.start : this.pos;
    const keep = this.pos - from;
    const old = this.slab;
    this.slab = Buffer.allocUnsafeSlow(Math.max(SLAB_BYTES, 2 * (keep + n)));
    this.view = new DataView(this.slab.buffer, this.slab.byteOffset, this.slab.length);
    old.copy(this.slab, 0, from, this.pos);
    // Batches already cut stay in the old slab (their subarrays keep it alive until written).
    this.live = 0;
    if (this.count > 0) this.start = 0;
    this.pos = keep;
  }

  private put(bytes: Bytes, pos: number): number {
    const view = this.view;
    if (bytes === null) {
      view.setInt32(pos, -1);
      return pos + 4;
    }
    const buf = this.slab;
    let n: number;
    if (typeof bytes === 'string') n = (buf as unknown as Utf8Writer).utf8Write(bytes, pos + 4);
    else {
      n = bytes.length;
      // A short key is cheaper to copy by a loop than through TypedArray.set's fixed cost.
      if (n <= 32) for (let i = 0; i < n; i++) buf[pos + 4 + i] = bytes[i]!;
      else buf.set(bytes, pos + 4);
    }
    view.setInt32(pos, n);
    return pos + 4 + n;
  }
}

/** The most bytes a field can take: a string takes at most 3 UTF-8 bytes per UTF-16 unit. */
function maxBytes(b: Bytes): number {
  if (b === null) return 0;
  return typeof b === 'string' ? 3 * b.length : b.length;
}
