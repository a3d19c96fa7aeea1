import { WAL_HEADER_SIZE } from './wal-format.js';

/**
 * A write batch as stored in one WAL record's payload (docs/engine.md, "Batch payload"):
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

/** Encodes a batch with WAL_HEADER_SIZE bytes left free in front for frameRecord. */
export function encodeBatch(seq: number, entries: readonly BatchEntry[]): Buffer {
  let size = WAL_HEADER_SIZE + 12;
  for (const e of entries) size += 5 + e.key.length + (e.value === null ? 0 : 4 + e.value.length);
  const buf = Buffer.allocUnsafe(size);
  let o = WAL_HEADER_SIZE;
  o = buf.writeUInt32LE(seq % 0x1_0000_0000, o);
  o = buf.writeUInt32LE(Math.floor(seq / 0x1_0000_0000), o);
  o = buf.writeUInt32LE(entries.length, o);
  for (const e of entries) {
    buf[o++] = e.value === null ? 0 : 1;
    o = buf.writeUInt32LE(e.key.length, o);
    o += e.key.copy(buf, o);
    if (e.value !== null) {
      o = buf.writeUInt32LE(e.value.length, o);
      o += e.value.copy(buf, o);
    }
  }
  return buf;
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
