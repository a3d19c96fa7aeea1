import { crc32 } from '@node-rs/crc32';
import { ByteReader, ByteWriter } from './byte-buffer.js';
import {
  BLOCK_HEADER_SIZE,
  BLOCK_MAGIC,
  FILE_HEADER_SIZE,
  FILE_MAGIC,
  FOOTER_MAGIC,
  FOOTER_SIZE,
  FIRST_READABLE_VERSION,
  FORMAT_VERSION,
} from './archive-format.js';

/** What the creation JSON after the file header records. */
export interface ArchiveDescription {
  inputs: { name: string; size: number }[];
  createdAt: string;
  level: number;
  blockBytes: number;
  /** The log format whose header fields name columns (`create --format`), when one was used. */
  format?: string;
}

/** One block's place: in the archive and in its input. */
export interface BlockInfo {
  /** File offset of the block header. */
  offset: number;
  payloadLength: number;
  input: number;
  inputOffset: number;
  inputLength: number;
  firstLine: number;
  lines: number;
}

const readable = (version: number) => version >= FIRST_READABLE_VERSION && version <= FORMAT_VERSION;

export function encodeFileHeader(description: ArchiveDescription, version: number): Buffer {
  const json = Buffer.from(JSON.stringify(description), 'utf8');
  const header = Buffer.alloc(FILE_HEADER_SIZE);
  header.writeUInt32LE(FILE_MAGIC, 0);
  header[4] = version;
  header.writeUInt32LE(json.length, 8);
  header.writeUInt32LE(crc32(json, crc32(header.subarray(0, 12))), 12);
  return Buffer.concat([header, json]);
}

/** The header's JSON length, or null when the 16 bytes are not an archive header of a version we read. */
export function fileHeaderJsonLength(header: Buffer): number | null {
  if (header.length < FILE_HEADER_SIZE || header.readUInt32LE(0) !== FILE_MAGIC || !readable(header[4]!)) return null;
  return header.readUInt32LE(8);
}

export function fileHeaderValid(header: Buffer, json: Buffer): boolean {
  return header.readUInt32LE(12) === crc32(json, crc32(header.subarray(0, 12)));
}

export function encodeBlockHeader(info: Omit<BlockInfo, 'offset'>): Buffer {
  const header = Buffer.alloc(BLOCK_HEADER_SIZE);
  header.writeUInt32LE(BLOCK_MAGIC, 0);
  header.writeUInt32LE(info.payloadLength, 4);
  header.writeUInt32LE(info.input, 8);
  header.writeBigUInt64LE(BigInt(info.inputOffset), 12);
  header.writeUInt32LE(info.inputLength, 20);
  header.writeBigUInt64LE(BigInt(info.firstLine), 24);
  header.writeUInt32LE(info.lines, 32);
  header.writeUInt32LE(crc32(header.subarray(0, 36)), 36);
  return header;
}

/** The block header at `offset` of `header`'s file, or null when its magic or CRC is wrong. */
export function decodeBlockHeader(header: Buffer, offset: number): BlockInfo | null {
  if (header.length < BLOCK_HEADER_SIZE || header.readUInt32LE(0) !== BLOCK_MAGIC) return null;
  if (header.readUInt32LE(36) !== crc32(header.subarray(0, 36))) return null;
  return {
    offset,
    payloadLength: header.readUInt32LE(4),
    input: header.readUInt32LE(8),
    inputOffset: Number(header.readBigUInt64LE(12)),
    inputLength: header.readUInt32LE(20),
    firstLine: Number(header.readBigUInt64LE(24)),
    lines: header.readUInt32LE(32),
  };
}

/** The index: varint block count, per block seven varints (BlockInfo's fields in order), then its CRC32. */
export function encodeIndex(blocks: readonly BlockInfo[]): Buffer {
  const w = new ByteWriter(16 + blocks.length * 24);
  w.varint(blocks.length);
  for (const b of blocks) {
    w.varint(b.offset);
    w.varint(b.payloadLength);
    w.varint(b.input);
    w.varint(b.inputOffset);
    w.varint(b.inputLength);
    w.varint(b.firstLine);
    w.varint(b.lines);
  }
  w.u32(crc32(w.result()));
  return w.result();
}

/** The blocks of an index, or null when its CRC or structure is wrong. */
export function decodeIndex(data: Buffer): BlockInfo[] | null {
  if (data.length < 5) return null;
  const body = data.subarray(0, data.length - 4);
  if (data.readUInt32LE(data.length - 4) !== crc32(body)) return null;
  try {
    const r = new ByteReader(body);
    const count = r.varint();
    const blocks: BlockInfo[] = [];
    for (let i = 0; i < count; i++) {
      blocks.push({
        offset: r.varint(),
        payloadLength: r.varint(),
        input: r.varint(),
        inputOffset: r.varint(),
        inputLength: r.varint(),
        firstLine: r.varint(),
        lines: r.varint(),
      });
    }
    return r.done ? blocks : null;
  } catch {
    return null;
  }
}

export interface Footer {
  indexOffset: number;
  indexLength: number;
  inputBytes: number;
}

export function encodeFooter(footer: Footer, version: number): Buffer {
  const b = Buffer.alloc(FOOTER_SIZE);
  b.writeBigUInt64LE(BigInt(footer.indexOffset), 0);
  b.writeUInt32LE(footer.indexLength, 8);
  b.writeBigUInt64LE(BigInt(footer.inputBytes), 12);
  b.writeUInt32LE(version, 20);
  b.writeUInt32LE(FOOTER_MAGIC, 24);
  b.writeUInt32LE(crc32(b.subarray(0, 28)), 28);
  return b;
}

export function decodeFooter(b: Buffer): Footer | null {
  if (b.length !== FOOTER_SIZE || b.readUInt32LE(24) !== FOOTER_MAGIC || !readable(b.readUInt32LE(20))) return null;
  if (b.readUInt32LE(28) !== crc32(b.subarray(0, 28))) return null;
  return {
    indexOffset: Number(b.readBigUInt64LE(0)),
    indexLength: b.readUInt32LE(8),
    inputBytes: Number(b.readBigUInt64LE(12)),
  };
}
