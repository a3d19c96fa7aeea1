import { readFileSync } from 'node:fs';
import { crc32 } from 'node:zlib';
import { CorruptionError } from '@esc/core';
import { WAL_HEADER_SIZE } from './wal-format.js';

/** The end of a log that a crash left half-written; it is cut off and reported, never fatal. */
export interface TornTail {
  file: string;
  offset: number;
  droppedBytes: number;
  reason: string;
}

export interface WalContents {
  records: { offset: number; type: number; payload: Buffer }[];
  /** Length of the intact prefix; the file is cut back to it on recovery. */
  validLength: number;
  torn: TornTail | null;
}

/**
 * Reads every record of a log, up to zeros that run to the end of the file (preallocated space). A record
 * cut short by the end of the file, or a last record whose checksum fails, is a torn tail: the records before it are returned and the tail reported.
 * A bad record followed by more data is corruption in the middle of the log: CorruptionError with the
 * file and the record's offset, because silently skipping it would drop acknowledged writes.
 */
export function readWal(path: string, data: Buffer = readFileSync(path)): WalContents {
  const records: WalContents['records'] = [];
  // End of the last non-zero byte: past it lies only preallocated space (wal-writer.ts).
  let dataEnd = data.length;
  while (dataEnd > 0 && data[dataEnd - 1] === 0) dataEnd--;
  let o = 0;
  const torn = (reason: string): WalContents => ({
    records,
    validLength: o,
    torn: { file: path, offset: o, droppedBytes: Math.max(dataEnd, o + 1) - o, reason },
  });
  while (o < data.length) {
    if (o >= dataEnd) return { records, validLength: o, torn: null };
    if (data.length - o < WAL_HEADER_SIZE) return torn('incomplete record header at the end of the log');
    const length = data.readUInt32LE(o + 4);
    const check = data.readUInt32LE(o + 8);
    if (~length >>> 0 !== check) {
      // A header that a crash cut short is followed by nothing but zeros (or the end of the file).
      if (dataEnd <= o + WAL_HEADER_SIZE) return torn('incomplete record header at the end of the log');
      throw new CorruptionError('write-ahead log record header is damaged (length check failed)', { path, offset: o });
    }
    const end = o + WAL_HEADER_SIZE + length;
    if (end > data.length) return torn(`record of ${length} bytes cut short by the end of the log`);
    const expected = data.readUInt32LE(o);
    if (crc32(data.subarray(o + 12, end)) !== expected) {
      if (end >= dataEnd) return torn('checksum mismatch in the last record');
      throw new CorruptionError('write-ahead log record checksum mismatch', { path, offset: o });
    }
    records.push({ offset: o, type: data[o + 12]!, payload: data.subarray(o + WAL_HEADER_SIZE, end) });
    o = end;
  }
  return { records, validLength: o, torn: null };
}
