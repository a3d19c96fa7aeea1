/** The constants of docs/formats/archive.md: magics, version, section ids, sizes. */
export const FILE_MAGIC = 0x41435345; // "ESCA" read as a little-endian u32
export const BLOCK_MAGIC = 0x42435345; // "ESCB"
export const FOOTER_MAGIC = 0x46435345; // "ESCF"
/**
 * 2: templates may hold FIELD_MARK (header fields found by a log format, `create --format`). 3: integer
 * columns may be packed (integer modes 2 and 3, section PackedIntegers), which readers of 1 and 2 would
 * misread; every archive is written as version 3. Readers read all three.
 */
export const FORMAT_VERSION = 3;
export const FIRST_READABLE_VERSION = 1;

/** magic, version, flags, reserved, creation JSON length, CRC32 of the header and the JSON. */
export const FILE_HEADER_SIZE = 16;
/** magic, payload length, input number, input offset (u64), input length, first line (u64), line count, CRC32. */
export const BLOCK_HEADER_SIZE = 40;
/** index offset (u64), index length, total input bytes (u64), version, magic, CRC32 of the 28 bytes before. */
export const FOOTER_SIZE = 32;

/** A block holds whole lines of one input, this many bytes at most unless one line alone is longer. */
export const DEFAULT_BLOCK_BYTES = 8 * 1024 * 1024;
/** A line longer than this is cut: a block never holds more input than this. */
export const MAX_BLOCK_BYTES = 64 * 1024 * 1024;

export const Section = {
  /** varint line count, u8 flags (bit 0: the last line has no line feed; bit 1: the block holds a NUL byte). */
  Lines: 1,
  /** The block's templates, each followed by a line feed; VARIABLE_MARK stands for a variable. */
  Templates: 2,
  /** Per line a varint: 0 a raw line, t + 1 template t. */
  LineTemplates: 3,
  /** Run lengths, alternately of lines ending LF and lines ending CR LF, starting with LF. */
  LineEnds: 4,
  /** The raw lines, each followed by a line feed. */
  RawLines: 5,
  /** Per column (templates in order, their slots in order): the coding and its parameters. */
  ColumnMeta: 6,
  /** Integers and dictionary indices of the columns, varints. */
  Numbers: 7,
  /** Dictionary entries of the columns, each followed by a line feed. */
  Dictionaries: 8,
  /** Plain string values of the columns, each followed by a line feed. */
  Strings: 9,
  /** Version 3: integer columns packed in truncated binary (packed-integers.ts), each on whole bytes. */
  PackedIntegers: 10,
} as const;

export const Codec = { Stored: 0, Brotli: 1 } as const;
