import { crc32 } from 'node:zlib';
import { CorruptionError } from '@esc/core';
import {
  FOOTER_SIZE,
  FORMAT_VERSION,
  FORMAT_VERSION_UNCOMPRESSED,
  SEGMENT_MAGIC,
  readU64,
  type Footer,
} from './segment-format.js';

/** Where a segment's data blocks are and the last key of each (docs/formats/segment.md, "Index block"). */
export interface SegmentIndex {
  offsets: number[];
  lengths: number[];
  lastKeys: Buffer[];
}

/** Reads and checks the 52-byte footer at the end of a segment of `size` bytes. */
export function readFooter(path: string, size: number, read: (offset: number, length: number) => Buffer): Footer {
  if (size < FOOTER_SIZE) throw new CorruptionError('segment file is too short for a footer', { path, offset: 0 });
  const at = size - FOOTER_SIZE;
  const f = read(at, FOOTER_SIZE);
  if (!f.subarray(44).equals(SEGMENT_MAGIC))
    throw new CorruptionError('bad segment magic number', { path, offset: at + 44 });
  if (crc32(f.subarray(0, 40)) !== f.readUInt32LE(40))
    throw new CorruptionError('segment footer checksum mismatch', { path, offset: at });
  const footer: Footer = {
    indexOffset: readU64(f, 0),
    indexLength: f.readUInt32LE(8),
    bloomOffset: readU64(f, 12),
    bloomLength: f.readUInt32LE(20),
    propsOffset: readU64(f, 24),
    propsLength: f.readUInt32LE(32),
    version: f.readUInt32LE(36),
  };
  if (footer.version !== FORMAT_VERSION && footer.version !== FORMAT_VERSION_UNCOMPRESSED)
    throw new CorruptionError(`unknown segment format version ${footer.version}`, { path, offset: at + 36 });
  return footer;
}

/** Parses an index block (checksum already checked) that starts at `indexOffset` of the file. */
export function parseIndex(index: Buffer, path: string, indexOffset: number): SegmentIndex {
  const out: SegmentIndex = { offsets: [], lengths: [], lastKeys: [] };
  let o = 0;
  while (o < index.length) {
    if (o + 16 > index.length) throw new CorruptionError('index entry cut short', { path, offset: indexOffset + o });
    out.offsets.push(readU64(index, o));
    out.lengths.push(index.readUInt32LE(o + 8));
    const kl = index.readUInt32LE(o + 12);
    o += 16;
    if (o + kl > index.length) throw new CorruptionError('index key cut short', { path, offset: indexOffset + o });
    out.lastKeys.push(index.subarray(o, o + kl));
    o += kl;
  }
  return out;
}
