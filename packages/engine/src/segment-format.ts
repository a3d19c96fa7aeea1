import { crc32 } from 'node:zlib';

/**
 * Segment (SSTable) layout, written once and never modified (docs/formats/segment.md):
 *
 *   data block 0 … data block n-1   entries in key order, each block stored raw or snappy-compressed and followed
 *                                   by a u8 type (0 none, 1 snappy) and a u32 LE crc32 of the stored bytes and the
 *                                   type (format version 2; version 1 has no type byte: raw blocks, crc of the block)
 *   index block                     one entry per data block, then u32 LE crc32
 *   bloom filter block              see bloom-filter.ts, then u32 LE crc32
 *   properties block                JSON (counts, key range, creation time, filter parameters), then u32 LE crc32
 *   footer (52 bytes)               below
 *
 * Data block:        entries (u32 LE key length, u32 LE value length, 0xFFFFFFFF = tombstone, key, value),
 *                    then u32 LE offset of each entry, then u32 LE entry count (data-block.ts).
 * Index entry:       u64 LE block offset, u32 LE block length (without its crc), u32 LE key length, last key of the block.
 * Footer:            u64 index offset, u32 index length, u64 bloom offset, u32 bloom length,
 *                    u64 properties offset, u32 properties length, u32 format version,
 *                    u32 crc32 of the preceding 40 bytes, 8-byte magic "ESCSEG\x00\x01".
 * Block lengths in the footer and index exclude the trailer (a data block's length is its stored length).
 */
export const FOOTER_SIZE = 52;
export const SEGMENT_MAGIC = Buffer.from('ESCSEG\x00\x01', 'latin1');
export const FORMAT_VERSION = 2;
/** Version 1: data blocks uncompressed, followed by their crc32 only. Still read. */
export const FORMAT_VERSION_UNCOMPRESSED = 1;
export const TOMBSTONE_LENGTH = 0xffffffff;
export const BLOCK_TRAILER = 4;
/** A version-2 data block's trailer: u8 type, u32 LE crc32 of the stored bytes and the type byte. */
export const DATA_BLOCK_TRAILER = 5;
export const BLOCK_TYPE_NONE = 0;
export const BLOCK_TYPE_SNAPPY = 1;

export interface SegmentProperties {
  entries: number;
  tombstones: number;
  minKey: string; // hex
  maxKey: string; // hex
  createdAt: number;
  bloomBitsPerKey: number;
  bloomHashes: number;
}

export interface Footer {
  indexOffset: number;
  indexLength: number;
  bloomOffset: number;
  bloomLength: number;
  propsOffset: number;
  propsLength: number;
  version: number;
}

export function writeU64(buf: Buffer, value: number, offset: number): number {
  buf.writeUInt32LE(value % 0x1_0000_0000, offset);
  buf.writeUInt32LE(Math.floor(value / 0x1_0000_0000), offset + 4);
  return offset + 8;
}

/** The 52-byte footer, its crc32 and magic included. */
export function encodeFooter(footer: Footer): Buffer {
  const out = Buffer.allocUnsafe(FOOTER_SIZE);
  let f = writeU64(out, footer.indexOffset, 0);
  f = out.writeUInt32LE(footer.indexLength, f);
  f = writeU64(out, footer.bloomOffset, f);
  f = out.writeUInt32LE(footer.bloomLength, f);
  f = writeU64(out, footer.propsOffset, f);
  f = out.writeUInt32LE(footer.propsLength, f);
  f = out.writeUInt32LE(footer.version, f);
  f = out.writeUInt32LE(crc32(out.subarray(0, 40)), f);
  SEGMENT_MAGIC.copy(out, f);
  return out;
}

export function readU64(buf: Buffer, offset: number): number {
  return buf.readUInt32LE(offset) + buf.readUInt32LE(offset + 4) * 0x1_0000_0000;
}

export function segmentFileName(id: number): string {
  return `${String(id).padStart(6, '0')}.sst`;
}

export function parseSegmentFileName(name: string): number | undefined {
  const m = /^(\d{6,})\.sst$/.exec(name);
  return m ? Number(m[1]) : undefined;
}
