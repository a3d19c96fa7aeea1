import { copyBytes } from './byte-copy.js';
import { WAL_HEADER_SIZE } from './wal-format.js';

/**
 * A write batch as stored in one WAL record's payload (docs/formats/wal.md, "Batch payload"):
 *
 *   u32 LE seq low, u32 LE seq high   sequence number of the first operation
 *   u32 LE count
 *   count × { u8 type (1 put, 0 delete), u32 LE key length, key, [put only: u32 LE value length, value] }
 *
 * Operation i gets sequence seq + i, so a batch touching one key twice resolves to its last operation.
 */
export interface BatchEntry {
  key: Buffer;
  /** null deletes the key. */
  value: Buffer | null;
}

/**
 * An operation as a caller gives it, strings being UTF-8: a delete when `type` is 'del' or `value` is null.
 * The engine's BatchOp objects are accepted as they are, so a batch allocates nothing per operation.
 */
export interface BatchInput {
  type?: 'put' | 'del';
  key: string | Uint8Array;
  value?: string | Uint8Array | null;
}

function batchValue(op: BatchInput): string | Uint8Array | null {
  if (op.type === 'del') return null;
  if (op.type !== undefined && op.type !== 'put')
    throw new TypeError(`unknown batch operation type '${String(op.type)}'`);
  if (op.value === undefined) throw new TypeError('a put needs a value');
  return op.value;
}

export interface EncodedBatch {
  /** The payload with WAL_HEADER_SIZE bytes left free in front for frameRecord. */
  record: Buffer;
  /** Offset and length of each operation's key in `record`: the memtable keeps these, not copies or views. */
  keyOffsets: number[];
  keyLengths: number[];
  /** Offset and length of each operation's value in `record`; offset −1 for a delete. */
  valueOffsets: number[];
  valueLengths: number[];
}

function byteLength(b: string | Uint8Array, what: string): number {
  if (typeof b === 'string') return Buffer.byteLength(b, 'utf8');
  if (b instanceof Uint8Array) return b.length;
  throw new TypeError(`a ${what} must be a string or a Uint8Array`);
}

/**
 * Encodes a batch in one allocation. The record is both what the log receives and where the memtable's
 * keys and values live, so a write copies each byte once.
 */
export function encodeBatch(seq: number, ops: readonly BatchInput[]): EncodedBatch {
  const encoded = encodeOps(ops);
  setBatchSequence(encoded.record, seq);
  return encoded;
}

/** Stamps the sequence number of a batch's first operation, which is only known when it is logged. */
export function setBatchSequence(record: Buffer, seq: number): void {
  record.writeUInt32LE(seq % 0x1_0000_0000, WAL_HEADER_SIZE);
  record.writeUInt32LE(Math.floor(seq / 0x1_0000_0000), WAL_HEADER_SIZE + 4);
}

function encodeOps(ops: readonly BatchInput[]): EncodedBatch {
  let size = WAL_HEADER_SIZE + 12;
  const n = ops.length;
  const klen = new Array<number>(n);
  const vlen = new Array<number>(n);
  for (let i = 0; i < n; i++) {
    const op = ops[i]!;
    const value = batchValue(op);
    klen[i] = byteLength(op.key, 'key');
    vlen[i] = value === null ? -1 : byteLength(value, 'value');
    size += 5 + klen[i]! + (vlen[i]! < 0 ? 0 : 4 + vlen[i]!);
  }
  const buf = Buffer.allocUnsafe(size);
  const keyOffsets = new Array<number>(n);
  const valueOffsets = new Array<number>(n);
  const valueLengths = new Array<number>(n);
  let o = WAL_HEADER_SIZE + 8;
  o = buf.writeUInt32LE(n, o);
  for (let i = 0; i < n; i++) {
    const op = ops[i]!;
    const vl = vlen[i]!;
    buf[o++] = vl < 0 ? 0 : 1;
    o = buf.writeUInt32LE(klen[i]!, o);
    put(buf, op.key, o);
    keyOffsets[i] = o;
    o += klen[i]!;
    valueLengths[i] = Math.max(vl, 0);
    if (vl < 0) valueOffsets[i] = -1;
    else {
      o = buf.writeUInt32LE(vl, o);
      put(buf, op.value as string | Uint8Array, o);
      valueOffsets[i] = o;
      o += vl;
    }
  }
  return { record: buf, keyOffsets, keyLengths: klen, valueOffsets, valueLengths };
}

function put(buf: Buffer, b: string | Uint8Array, at: number): void {
  if (typeof b === 'string') buf.write(b, at, 'utf8');
  else copyBytes(b, 0, b.length, buf, at);
}

export interface DecodedBatch {
  seq: number;
  entries: BatchEntry[];
}

/** Decodes a payload that passed its checksum; throws RangeError if its structure is still wrong. */
export function decodeBatch(payload: Buffer): DecodedBatch {
  let o = 0;
  const seq = payload.readUInt32LE(0) + payload.readUInt32LE(4) * 0x1_0000_0000;
  const count = payload.readUInt32LE(8);
  o = 12;
  const entries: BatchEntry[] = [];
  for (let i = 0; i < count; i++) {
    const type = payload[o++];
    if (type !== 0 && type !== 1) throw new RangeError(`unknown operation type ${type}`);
    const klen = payload.readUInt32LE(o);
    o += 4;
    if (o + klen > payload.length) throw new RangeError('key runs past the record');
    const key = payload.subarray(o, o + klen);
    o += klen;
    let value: Buffer | null = null;
    if (type === 1) {
      const vlen = payload.readUInt32LE(o);
      o += 4;
      if (o + vlen > payload.length) throw new RangeError('value runs past the record');
      value = payload.subarray(o, o + vlen);
      o += vlen;
    }
    entries.push({ key, value });
  }
  if (o !== payload.length) throw new RangeError('trailing bytes after the last operation');
  return { seq, entries };
}
