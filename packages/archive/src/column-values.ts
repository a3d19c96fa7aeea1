/**
 * A decoded column, kept as what it was coded as (numbers in a Float64Array, texts as byte ranges of the
 * section they came from) and written straight into the block's output buffer: no string per value. A
 * 64 MiB log has some five million values; making each a string first cost more in the garbage collector
 * than all the rest of extract.
 */
export interface ColumnValues {
  /** Writes value `i`'s bytes into `out` at `pos` (bytes past the end of `out` are dropped); the new pos. */
  write(i: number, out: Buffer, pos: number): number;
  /** Value `i` as Latin-1 text (tests). */
  text(i: number): string;
}

/** Copies `src[start, end)` to `out` at `pos`: a loop for short ranges, where a native call costs more. */
function copyBytes(src: Buffer, start: number, end: number, out: Buffer, pos: number): number {
  const n = end - start;
  if (n < 32) {
    for (let k = 0; k < n; k++) out[pos + k] = src[start + k]!;
  } else if (pos + n <= out.length) out.set(src.subarray(start, end), pos);
  return pos + n;
}

/** Copies all of `src` (a template's text) to `out` at `pos`. */
export function copyAll(src: Buffer, out: Buffer, pos: number): number {
  const n = src.length;
  if (n < 32) {
    for (let k = 0; k < n; k++) out[pos + k] = src[k]!;
  } else if (pos + n <= out.length) out.set(src, pos);
  return pos + n;
}

const POWERS_OF_TEN = Array.from({ length: 16 }, (_, k) => 10 ** k);

/**
 * Writes integer `v` (|v| < 2⁵³) in decimal, at least `width` digits (zero-padded). Digits come from int32
 * arithmetic: a value of 2³¹ or more is first cut into its last eight digits and the rest.
 */
function writeInteger(v: number, width: number, out: Buffer, pos: number): number {
  let p = pos;
  let n = v;
  if (n < 0) {
    out[p++] = 45;
    n = -n;
  }
  let digits = 1;
  while (digits < 16 && n >= POWERS_OF_TEN[digits]!) digits++;
  for (let k = digits; k < width; k++) out[p++] = 48;
  const end = p + digits;
  let at = end;
  if (n >= 2147483648) {
    const high = Math.floor(n / 1e8);
    let low = n - high * 1e8;
    for (let k = 0; k < 8; k++) {
      const q = (low / 10) | 0;
      out[--at] = 48 + low - q * 10;
      low = q;
    }
    n = high;
  }
  while (at > p) {
    const q = (n / 10) | 0;
    out[--at] = 48 + n - q * 10;
    n = q;
  }
  return end;
}

/** Buffer `out` large enough for any one value, for text(). */
function textOf(column: ColumnValues, i: number): string {
  const scratch = Buffer.allocUnsafe(1 << 16);
  return scratch.toString('latin1', 0, column.write(i, scratch, 0));
}

export class ConstantValues implements ColumnValues {
  constructor(private readonly value: Buffer) {}
  write(_i: number, out: Buffer, pos: number): number {
    return copyAll(this.value, out, pos);
  }
  text(i: number): string {
    return textOf(this, i);
  }
}

/** Integers, written zero-padded to `width` digits (0: as they are). */
export class IntegerValues implements ColumnValues {
  constructor(
    private readonly numbers: Float64Array,
    private readonly width: number,
  ) {}
  write(i: number, out: Buffer, pos: number): number {
    return writeInteger(this.numbers[i]!, this.width, out, pos);
  }
  text(i: number): string {
    return textOf(this, i);
  }
}

/** Integers of 10 to 24 digits: the high part, then the last nine digits zero-padded. */
export class LongIntegerValues implements ColumnValues {
  constructor(
    private readonly high: Float64Array,
    private readonly low: Float64Array,
    private readonly lowDigits: number,
  ) {}
  write(i: number, out: Buffer, pos: number): number {
    return writeInteger(this.low[i]!, this.lowDigits, out, writeInteger(this.high[i]!, 0, out, pos));
  }
  text(i: number): string {
    return textOf(this, i);
  }
}

/** Texts as byte ranges of one buffer (a dictionary's entries, the strings of a block): value i is entry[i]. */
export class RangeValues implements ColumnValues {
  constructor(
    private readonly source: Buffer,
    private readonly starts: Int32Array | readonly number[],
    private readonly ends: Int32Array | readonly number[],
    private readonly entries: Float64Array | Int32Array,
  ) {}
  write(i: number, out: Buffer, pos: number): number {
    const e = this.entries[i]!;
    return copyBytes(this.source, this.starts[e]!, this.ends[e]!, out, pos);
  }
  text(i: number): string {
    return textOf(this, i);
  }
}

/** A shape: its texts around the numbers, each number from its sub-column. */
export class ShapeValues implements ColumnValues {
  constructor(
    private readonly pieces: readonly Buffer[],
    private readonly parts: readonly ColumnValues[],
  ) {}
  write(i: number, out: Buffer, pos: number): number {
    const pieces = this.pieces;
    let p = copyAll(pieces[0]!, out, pos);
    for (let k = 0; k < this.parts.length; k++) p = copyAll(pieces[k + 1]!, out, this.parts[k]!.write(i, out, p));
    return p;
  }
  text(i: number): string {
    return textOf(this, i);
  }
}
