import { crc32 } from 'node:zlib';

/**
 * Write-ahead log record layout (docs/formats/wal.md, "Record"):
 *
 *   offset 0  u32 LE  crc32 of bytes [12, 13 + length): the type byte and the payload
 *   offset 4  u32 LE  length of the payload
 *   offset 8  u32 LE  bitwise NOT of length: a damaged length is caught before it is trusted
 *   offset 12 u8      record type
 *   offset 13         payload
 *
 * A log is a plain sequence of records, one per write batch. Unlike LevelDB there are no 32 KiB blocks:
 * a batch is never fragmented, so a record is the unit of atomicity.
 */
export const WAL_HEADER_SIZE = 13;
export const RecordType = { Batch: 1 } as const;

/** Writes the header into the first WAL_HEADER_SIZE bytes of `record`, whose payload follows them. */
export function frameRecord(record: Buffer, type: number): Buffer {
  const length = record.length - WAL_HEADER_SIZE;
  record.writeUInt32LE(length, 4);
  record.writeUInt32LE(~length >>> 0, 8);
  record[12] = type;
  record.writeUInt32LE(crc32(record.subarray(12)), 0);
  return record;
}

export function walFileName(n: number): string {
  return `${String(n).padStart(6, '0')}.log`;
}

export function parseWalFileName(name: string): number | undefined {
  const m = /^(\d{6,})\.log$/.exec(name);
  return m ? Number(m[1]) : undefined;
}
