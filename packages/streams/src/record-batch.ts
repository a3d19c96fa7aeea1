import { crc32c } from '@node-rs/crc32';
import { crc32cCombine } from './crc32c-combine.js';

/**
 * Record batch layout (docs/formats/streams-segment.md). All integers big-endian, as Kafka's.
 *
 *   0  u64 baseOffset       offset of the first record
 *   8  u32 batchLength      bytes after this field: the batch is 12 + batchLength bytes
 *   12 u32 crc              CRC-32C of bytes [0, 12) and [16, end): every byte but the crc itself
 *   16 u8  magic            BATCH_MAGIC
 *   17 u8  attributes       0 (reserved)
 *   18 u32 lastOffsetDelta  offset of the last record minus baseOffset
 *   22 i64 baseTimestamp    timestamp of the first record (ms since the epoch)
 *   30 i64 maxTimestamp     largest timestamp in the batch
 *   38 u32 recordCount
 *   42     records
 *
 * Record:
 *   0  u32 length           bytes after this field
 *   4  u32 offsetDelta      offset minus baseOffset (strictly increasing; gaps after compaction)
 *   8  i32 timestampDelta   timestamp minus baseTimestamp
 *   12 i32 keyLength        -1: no key
 *      key bytes
 *      i32 valueLength      -1: null value (a tombstone)
 *      value bytes
 *      u32 headerCount, then per header: u32 keyLength, key (UTF-8), i32 valueLength (-1: null), value
 */
export const BATCH_MAGIC = 1;
export const BATCH_HEADER_SIZE = 42;
/** baseOffset and batchLength: enough to know how long a batch is. */
export const BATCH_LENGTH_PREFIX = 12;
const RECORD_FIXED_SIZE = 24;
const I32_MIN = -(2 ** 31);
const I32_MAX = 2 ** 31 - 1;

export interface RecordHeader {
  key: string;
  value: Buffer | null;
}

/** A record as stored: its offset and timestamp are assigned; key and value may be null. */
export interface LogRecord {
  offset: number;
  timestamp: number;
  key: Buffer | null;
  value: Buffer | null;
  headers: RecordHeader[];
}

/** What a batch header says; `position` is where the batch starts in its file. */
export interface BatchHeader {
  baseOffset: number;
  /** Whole batch size in bytes, prefix included. */
  size: number;
  crc: number;
  lastOffsetDelta: number;
  baseTimestamp: number;
  maxTimestamp: number;
  recordCount: number;
}

export function lastOffset(h: BatchHeader): number {
  return h.baseOffset + h.lastOffsetDelta;
}

/** The bytes one record takes inside a batch, header of the record included. */
function recordSize(r: Pick<LogRecord, 'key' | 'value' | 'headers'>): number {
  let size = RECORD_FIXED_SIZE + (r.key?.length ?? 0) + (r.value?.length ?? 0);
  for (const h of r.headers) size += 8 + Buffer.byteLength(h.key) + (h.value?.length ?? 0);
  return size;
}

/** Whether a record stamped `timestamp` can join a batch whose first record has `baseTimestamp` (an i32 delta). */
export function fitsTimestampDelta(baseTimestamp: number, timestamp: number): boolean {
  const d = timestamp - baseTimestamp;
  return d >= I32_MIN && d <= I32_MAX;
}

/**
 * Encodes records (offsets strictly increasing, timestamps within an i32 of the first's) as one batch: the
 * cleaner's rare re-encoding, and callers that encode their own batches (TopicStore.appendBatch). Appends
 * encode with BatchBuilder.
 */
export function encodeBatch(records: readonly LogRecord[]): Buffer {
  if (records.length === 0) throw new RangeError('a batch holds at least one record');
  const first = records[0]!;
  let size = BATCH_HEADER_SIZE;
  let maxTimestamp = first.timestamp;
  for (const r of records) {
    size += recordSize(r);
    if (r.timestamp > maxTimestamp) maxTimestamp = r.timestamp;
  }
  const buf = Buffer.allocUnsafe(size);
  const baseOffset = first.offset;
  writeU64(buf, baseOffset, 0);
  buf.writeUInt32BE(size - BATCH_LENGTH_PREFIX, 8);
  buf[16] = BATCH_MAGIC;
  buf[17] = 0;
  buf.writeUInt32BE(records[records.length - 1]!.offset - baseOffset, 18);
  writeI64(buf, first.timestamp, 22);
  writeI64(buf, maxTimestamp, 30);
  buf.writeUInt32BE(records.length, 38);
  let pos = BATCH_HEADER_SIZE;
  let previous = -1;
  for (const r of records) {
    const delta = r.offset - baseOffset;
    if (delta <= previous)
      throw new RangeError(`record offsets must increase (${baseOffset + delta} after ${baseOffset + previous})`);
    previous = delta;
    const start = pos;
    buf.writeUInt32BE(delta, pos + 4);
    buf.writeInt32BE(r.timestamp - first.timestamp, pos + 8);
    pos = writeBytes(buf, r.key, pos + 12);
    pos = writeBytes(buf, r.value, pos);
    buf.writeUInt32BE(r.headers.length, pos);
    pos += 4;
    for (const h of r.headers) {
      const n = buf.write(h.key, pos + 4, 'utf8');
      buf.writeUInt32BE(n, pos);
      pos = writeBytes(buf, h.value, pos + 4 + n);
    }
    buf.writeUInt32BE(pos - start - 4, start);
  }
  buf.writeUInt32BE(batchCrc(buf), 12);
  return buf;
}

/** CRC-32C over every byte of a whole batch except the crc field. */
function batchCrc(batch: Buffer): number {
  return crc32c(batch.subarray(16), crc32c(batch.subarray(0, 12)));
}

/** What the writer needs of a batch a producer encoded itself (TopicStore.appendBatch). */
export interface ProducerBatchInfo {
  count: number;
  firstTimestamp: number;
  maxTimestamp: number;
  /** CRC-32C of bytes [16, end): the writer combines it with the patched first 12 bytes' CRC. */
  tailCrc: number;
}

/**
 * Checks a batch a producer encoded, as Kafka's broker checks its clients' batches before assigning offsets:
 * the length field, the format, the CRC (whatever baseOffset the producer put), dense offset deltas from 0,
 * the header's last offset delta, record count and max timestamp, and that every record and its key and value
 * lie within it. Returns what the writer needs, or why the batch is refused. One pass of the CRC; the records
 * are walked without being decoded.
 */
export function checkProducerBatch(batch: Buffer): ProducerBatchInfo | string {
  if (batch.length < BATCH_HEADER_SIZE) return `batch of ${batch.length} bytes is shorter than its header`;
  const declared = BATCH_LENGTH_PREFIX + batch.readUInt32BE(8);
  if (declared !== batch.length) return `batch length field says ${declared} bytes, the batch has ${batch.length}`;
  if (batch[16] !== BATCH_MAGIC) return `unknown batch format ${batch[16]}`;
  const tailCrc = crc32c(batch.subarray(16));
  const crc = crc32cCombine(crc32c(batch.subarray(0, 12)), tailCrc, batch.length - 16);
  const stored = batch.readUInt32BE(12);
  if (crc !== stored) return `batch checksum mismatch (stored ${hex(stored)}, computed ${hex(crc)})`;
  const count = batch.readUInt32BE(38);
  if (count === 0) return 'a batch holds at least one record';
  if (batch.readUInt32BE(18) !== count - 1) return `lastOffsetDelta ${batch.readUInt32BE(18)} for ${count} records`;
  const firstTimestamp = readI64(batch, 22);
  // DataView reads: Buffer's read methods check their arguments on every call, a cost per record here.
  const view = new DataView(batch.buffer, batch.byteOffset, batch.length);
  const size = batch.length;
  let maxDelta = Number.NEGATIVE_INFINITY;
  let pos = BATCH_HEADER_SIZE;
  for (let i = 0; i < count; i++) {
    if (pos + RECORD_FIXED_SIZE > size) return `record ${i} runs past the end of the batch`;
    const end = pos + 4 + view.getUint32(pos);
    if (end > size) return `record ${i} runs past the end of the batch`;
    if (view.getUint32(pos + 4) !== i) return `record ${i} has offset delta ${view.getUint32(pos + 4)}`;
    const delta = view.getInt32(pos + 8);
    if (delta > maxDelta) maxDelta = delta;
    const keyLength = view.getInt32(pos + 12);
    const valueAt = pos + 16 + Math.max(0, keyLength);
    if (keyLength < -1 || valueAt + 8 > end) return `record ${i}: key length ${keyLength} runs past the record`;
    const valueLength = view.getInt32(valueAt);
    if (valueLength < -1 || valueAt + 8 + Math.max(0, valueLength) > end)
      return `record ${i}: value length ${valueLength} runs past the record`;
    pos = end;
  }
  if (pos !== batch.length) return `batch has ${batch.length - pos} bytes after its ${count} records`;
  const maxTimestamp = readI64(batch, 30);
  if (maxTimestamp !== firstTimestamp + maxDelta)
    return `maxTimestamp ${maxTimestamp} is not the records' largest, ${firstTimestamp + maxDelta}`;
  if (firstTimestamp < 0 || !Number.isSafeInteger(maxTimestamp)) return `timestamp ${firstTimestamp} is not valid`;
  return { count, firstTimestamp, maxTimestamp, tailCrc };
}

export function readBaseOffset(buf: Buffer, pos: number): number {
  return readU64(buf, pos);
}

/** Why a batch is not acceptable, or null. Checks the structure of the header and the CRC of the whole batch. */
export function checkBatch(batch: Buffer): string | null {
  if (batch.length < BATCH_HEADER_SIZE) return `batch of ${batch.length} bytes is shorter than its header`;
  const stored = batch.readUInt32BE(12);
  const actual = batchCrc(batch);
  if (stored !== actual) return `batch checksum mismatch (stored ${hex(stored)}, computed ${hex(actual)})`;
  if (batch[16] !== BATCH_MAGIC) return `unknown batch format ${batch[16]}`;
  return null;
}

export function decodeBatchHeader(batch: Buffer): BatchHeader {
  return {
    baseOffset: readU64(batch, 0),
    size: BATCH_LENGTH_PREFIX + batch.readUInt32BE(8),
    crc: batch.readUInt32BE(12),
    lastOffsetDelta: batch.readUInt32BE(18),
    baseTimestamp: readI64(batch, 22),
    maxTimestamp: readI64(batch, 30),
    recordCount: batch.readUInt32BE(38),
  };
}

/**
 * Decodes the records of a batch whose CRC has been checked; keys and values are views into `batch`.
 * Throws a plain Error (the caller adds file and position) when the records do not fill the batch exactly.
 */
export function decodeRecords(batch: Buffer): LogRecord[] {
  const baseOffset = readU64(batch, 0);
  const baseTimestamp = readI64(batch, 22);
  const count = batch.readUInt32BE(38);
  const records: LogRecord[] = new Array(count);
  let pos = BATCH_HEADER_SIZE;
  let previous = -1;
  for (let i = 0; i < count; i++) {
    need(batch, pos, RECORD_FIXED_SIZE);
    const end = pos + 4 + batch.readUInt32BE(pos);
    if (end > batch.length) throw new Error(`record ${i} runs past the end of its batch`);
    const delta = batch.readUInt32BE(pos + 4);
    if (delta <= previous) throw new Error(`record ${i} has offset delta ${delta} after ${previous}`);
    previous = delta;
    records[i] = decodeRecord(batch, pos, end, i, baseOffset, baseTimestamp);
    pos = end;
  }
  if (pos !== batch.length) throw new Error(`batch has ${batch.length - pos} bytes after its ${count} records`);
  if (count > 0 && previous !== batch.readUInt32BE(18))
    throw new Error(`last record's offset delta ${previous} differs from the header's ${batch.readUInt32BE(18)}`);
  return records;
}

/** Where each record of a batch starts and its offset delta: one walk, then any record in O(log n). */
export interface RecordPositions {
  deltas: Uint32Array;
  /** starts[i] is where record i begins; starts[count] is the end of the batch. */
  starts: Uint32Array;
}

/** Steps over a checked batch's records by their lengths, without decoding them. */
export function recordPositions(batch: Buffer): RecordPositions {
  const count = batch.readUInt32BE(38);
  const view = new DataView(batch.buffer, batch.byteOffset, batch.length);
  const deltas = new Uint32Array(count);
  const starts = new Uint32Array(count + 1);
  let pos = BATCH_HEADER_SIZE;
  for (let i = 0; i < count; i++) {
    if (pos + RECORD_FIXED_SIZE > batch.length) throw new Error(`record ${i} runs past the end of its batch`);
    starts[i] = pos;
    deltas[i] = view.getUint32(pos + 4);
    pos += 4 + view.getUint32(pos);
  }
  if (pos > batch.length) throw new Error(`record ${count - 1} runs past the end of its batch`);
  starts[count] = pos;
  return { deltas, starts };
}

/** The record of a checked batch at `offset` (a random read by offset), or null when it has none there. */
export function decodeRecordAt(batch: Buffer, positions: RecordPositions, offset: number): LogRecord | null {
  const wanted = offset - readU64(batch, 0);
  const { deltas, starts } = positions;
  let lo = 0;
  let hi = deltas.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const d = deltas[mid]!;
    if (d === wanted)
      return decodeRecord(batch, starts[mid]!, starts[mid + 1]!, mid, readU64(batch, 0), readI64(batch, 22));
    if (d < wanted) lo = mid + 1;
    else hi = mid - 1;
  }
  return null;
}

/** Record `i` of a batch, which spans [pos, end). */
function decodeRecord(
  batch: Buffer,
  pos: number,
  end: number,
  i: number,
  baseOffset: number,
  baseTimestamp: number,
): LogRecord {
  const delta = batch.readUInt32BE(pos + 4);
  const timestamp = baseTimestamp + batch.readInt32BE(pos + 8);
  // Lengths first, then views: no tuple per field (fewer short-lived objects for a consumer's GC).
  const keyLength = fieldLength(batch, pos + 12, end);
  const key = keyLength < 0 ? null : batch.subarray(pos + 16, pos + 16 + keyLength);
  const valueAt = pos + 16 + Math.max(0, keyLength);
  const valueLength = fieldLength(batch, valueAt, end);
  const value = valueLength < 0 ? null : batch.subarray(valueAt + 4, valueAt + 4 + valueLength);
  const afterValue = valueAt + 4 + Math.max(0, valueLength);
  need(batch, afterValue, 4);
  const headerCount = batch.readUInt32BE(afterValue);
  let p = afterValue + 4;
  const headers: RecordHeader[] = [];
  for (let h = 0; h < headerCount; h++) {
    if (p + 4 > end) throw new Error(`record ${i}: header ${h} runs past the record`);
    const keyEnd = p + 4 + batch.readUInt32BE(p);
    if (keyEnd > end) throw new Error(`record ${i}: header ${h} runs past the record`);
    const hk = batch.toString('utf8', p + 4, keyEnd);
    const n = fieldLength(batch, keyEnd, end);
    headers.push({ key: hk, value: n < 0 ? null : batch.subarray(keyEnd + 4, keyEnd + 4 + n) });
    p = keyEnd + 4 + Math.max(0, n);
  }
  if (p !== end) throw new Error(`record ${i} is ${end - pos} bytes but its fields take ${p - pos}`);
  return { offset: baseOffset + delta, timestamp, key, value, headers };
}

/**
 * Calls `fn` with the key (as a latin1 string: one character per byte, a Map key) and offset of every keyed
 * record of a checked batch, without building record objects: the cleaner's first pass reads every key.
 */
export function scanKeys(batch: Buffer, fn: (key: string, offset: number) => void): void {
  const baseOffset = readU64(batch, 0);
  const count = batch.readUInt32BE(38);
  let pos = BATCH_HEADER_SIZE;
  for (let i = 0; i < count; i++) {
    const end = pos + 4 + batch.readUInt32BE(pos);
    const keyLength = batch.readInt32BE(pos + 12);
    if (keyLength >= 0)
      fn(batch.toString('latin1', pos + 16, pos + 16 + keyLength), baseOffset + batch.readUInt32BE(pos + 4));
    pos = end;
  }
}

/** What the cleaner knows of a record when deciding to keep it, read without decoding the record. */
export interface RecordView {
  offset: number;
  timestamp: number;
  /** The key as a latin1 string (one character per byte), or null. */
  key: string | null;
  tombstone: boolean;
}

/**
 * The batch with only the records `keep` accepts, rewritten by copying their bytes: the same buffer when all
 * are kept, null when none is. Offsets are kept; the new batch's base offset and base timestamp are its first
 * record's, and the deltas are patched. Returns undefined (the caller decodes and encodes instead) in the rare
 * case that a timestamp delta would not fit in 32 bits against the new base.
 */
export function filterBatch(batch: Buffer, keep: (r: RecordView) => boolean): Buffer | null | undefined {
  const baseOffset = readU64(batch, 0);
  const baseTimestamp = readI64(batch, 22);
  const count = batch.readUInt32BE(38);
  const starts: number[] = [];
  const ends: number[] = [];
  const offsets: number[] = [];
  const stamps: number[] = [];
  let pos = BATCH_HEADER_SIZE;
  for (let i = 0; i < count; i++) {
    const end = pos + 4 + batch.readUInt32BE(pos);
    const offset = baseOffset + batch.readUInt32BE(pos + 4);
    const timestamp = baseTimestamp + batch.readInt32BE(pos + 8);
    const keyLength = batch.readInt32BE(pos + 12);
    const valueAt = pos + 16 + Math.max(0, keyLength);
    const key = keyLength < 0 ? null : batch.toString('latin1', pos + 16, valueAt);
    if (keep({ offset, timestamp, key, tombstone: batch.readInt32BE(valueAt) === -1 })) {
      starts.push(pos);
      ends.push(end);
      offsets.push(offset);
      stamps.push(timestamp);
    }
    pos = end;
  }
  if (starts.length === count) return batch;
  if (starts.length === 0) return null;
  const newBase = offsets[0]!;
  const newBaseTimestamp = stamps[0]!;
  let size = BATCH_HEADER_SIZE;
  let maxTimestamp = newBaseTimestamp;
  for (let i = 0; i < starts.length; i++) {
    size += ends[i]! - starts[i]!;
    const d = stamps[i]! - newBaseTimestamp;
    if (d < I32_MIN || d > I32_MAX) return undefined;
    if (stamps[i]! > maxTimestamp) maxTimestamp = stamps[i]!;
  }
  const out = Buffer.allocUnsafe(size);
  writeU64(out, newBase, 0);
  out.writeUInt32BE(size - BATCH_LENGTH_PREFIX, 8);
  out[16] = BATCH_MAGIC;
  out[17] = 0;
  out.writeUInt32BE(offsets[offsets.length - 1]! - newBase, 18);
  writeI64(out, newBaseTimestamp, 22);
  writeI64(out, maxTimestamp, 30);
  out.writeUInt32BE(starts.length, 38);
  let at = BATCH_HEADER_SIZE;
  for (let i = 0; i < starts.length; i++) {
    batch.copy(out, at, starts[i]!, ends[i]!);
    out.writeUInt32BE(offsets[i]! - newBase, at + 4);
    out.writeInt32BE(stamps[i]! - newBaseTimestamp, at + 8);
    at += ends[i]! - starts[i]!;
  }
  out.writeUInt32BE(batchCrc(out), 12);
  return out;
}

function writeBytes(buf: Buffer, bytes: Buffer | null, pos: number): number {
  if (bytes === null) {
    buf.writeInt32BE(-1, pos);
    return pos + 4;
  }
  buf.writeInt32BE(bytes.length, pos);
  bytes.copy(buf, pos + 4);
  return pos + 4 + bytes.length;
}

/** The length field at `pos` (-1: null), checked to lie, with its bytes, within `end`. */
function fieldLength(buf: Buffer, pos: number, end: number): number {
  if (pos + 4 > end) throw new Error('field length runs past the record');
  const n = buf.readInt32BE(pos);
  if (n === -1) return -1;
  if (n < 0 || pos + 4 + n > end) throw new Error(`field length ${n} runs past the record`);
  return n;
}

function need(buf: Buffer, pos: number, n: number): void {
  if (pos + n > buf.length) throw new Error('record runs past the end of its batch');
}

// Offsets and timestamps stay below 2^53 (JavaScript numbers); the file has room for 64 bits as Kafka's.
export function writeU64(buf: Buffer, n: number, pos: number): void {
  buf.writeUInt32BE(Math.floor(n / 2 ** 32), pos);
  buf.writeUInt32BE(n >>> 0, pos + 4);
}

function readU64(buf: Buffer, pos: number): number {
  return buf.readUInt32BE(pos) * 2 ** 32 + buf.readUInt32BE(pos + 4);
}

export function writeI64(buf: Buffer, n: number, pos: number): void {
  buf.writeBigInt64BE(BigInt(n), pos);
}

export function readI64(buf: Buffer, pos: number): number {
  const hi = buf.readInt32BE(pos);
  return hi * 2 ** 32 + buf.readUInt32BE(pos + 4);
}

function hex(n: number): string {
  return `0x${n.toString(16).padStart(8, '0')}`;
}
