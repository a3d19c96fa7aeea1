import { brotliCompressSync, brotliDecompressSync, constants } from 'node:zlib';
import { ByteReader, ByteWriter, TruncatedDataError } from './byte-buffer.js';
import { Codec } from './archive-format.js';

/** How one section is compressed: brotli quality and whether its bytes are text (brotli's mode hint). */
export interface SectionCompression {
  quality: number;
  text: boolean;
}

export interface SectionInput {
  id: number;
  data: Buffer;
  /** null: stored as it is. */
  compression: SectionCompression | null;
}

/**
 * A block payload: a table (varint count; per section u8 id, u8 codec, varint stored length, varint decoded
 * length), then the sections in table order. Each section is compressed on its own, so `grep` can decompress
 * the templates and dictionaries of a block without its numbers. A section brotli does not shrink is stored.
 */
export function writeSections(sections: readonly SectionInput[]): Buffer {
  const table = new ByteWriter(64);
  const bodies: Buffer[] = [];
  const present = sections.filter((s) => s.data.length > 0);
  table.varint(present.length);
  for (const { id, data, compression } of present) {
    let body = data;
    let codec: number = Codec.Stored;
    if (compression !== null && data.length > 32) {
      const packed = brotliCompressSync(data, {
        params: {
          [constants.BROTLI_PARAM_QUALITY]: compression.quality,
          [constants.BROTLI_PARAM_LGWIN]: 24,
          [constants.BROTLI_PARAM_MODE]: compression.text ? constants.BROTLI_MODE_TEXT : constants.BROTLI_MODE_GENERIC,
          [constants.BROTLI_PARAM_SIZE_HINT]: data.length,
        },
      });
      if (packed.length < data.length) {
        body = packed;
        codec = Codec.Brotli;
      }
    }
    table.byte(id);
    table.byte(codec);
    table.varint(body.length);
    table.varint(data.length);
    bodies.push(body);
  }
  return Buffer.concat([table.result(), ...bodies]);
}

export interface SectionEntry {
  codec: number;
  stored: Buffer;
  decodedLength: number;
}

/** The section table of a payload; throws TruncatedDataError when it does not fit the payload. */
export function readSectionTable(payload: Buffer): Map<number, SectionEntry> {
  const reader = new ByteReader(payload);
  const count = reader.varint();
  const heads: { id: number; codec: number; storedLength: number; decodedLength: number }[] = [];
  for (let i = 0; i < count; i++)
    heads.push({
      id: reader.byte(),
      codec: reader.byte(),
      storedLength: reader.varint(),
      decodedLength: reader.varint(),
    });
  const sections = new Map<number, SectionEntry>();
  for (const head of heads)
    sections.set(head.id, {
      codec: head.codec,
      stored: reader.bytes(head.storedLength),
      decodedLength: head.decodedLength,
    });
  return sections;
}

/** A section's decoded bytes (empty when the block has none). */
export function sectionBytes(sections: Map<number, SectionEntry>, id: number): Buffer {
  const entry = sections.get(id);
  if (entry === undefined) return Buffer.alloc(0);
  let data: Buffer;
  if (entry.codec === Codec.Stored) data = entry.stored;
  else if (entry.codec === Codec.Brotli) {
    try {
      data = brotliDecompressSync(entry.stored, { maxOutputLength: entry.decodedLength + 1 });
    } catch (err) {
      throw new TruncatedDataError(`section ${id}: ${(err as Error).message}`);
    }
  } else throw new TruncatedDataError(`section ${id}: unknown codec ${entry.codec}`);
  if (data.length !== entry.decodedLength)
    throw new TruncatedDataError(`section ${id}: ${data.length} bytes decoded, ${entry.decodedLength} expected`);
  return data;
}
