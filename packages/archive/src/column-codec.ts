import { type ByteReader, type ByteWriter, TruncatedDataError } from './byte-buffer.js';
import { VARIABLE_MARK } from './line-tokenizer.js';
import { readPacked, shouldPack, writePacked } from './packed-integers.js';
import {
  type ColumnValues,
  ConstantValues,
  IntegerValues,
  LongIntegerValues,
  RangeValues,
  ShapeValues,
} from './column-values.js';

/**
 * The values of one template slot in one block (a column), coded by what they are: one repeated value, integers
 * (plain or as differences), fixed-width digit strings (`081109`), a shared shape with numbers inside
 * (`10.251.43.21`: four integer sub-columns), a dictionary of few distinct strings, or the strings themselves.
 * The coding's parameters go to `meta`, integers and dictionary indices to `nums`, dictionary entries to `dicts`
 * and plain strings to `strs`: four homogeneous streams that each compress well on their own.
 */
const Coding = { String: 0, Dictionary: 1, Integer: 2, FixedWidth: 3, Shape: 4, Constant: 5, LongInteger: 6 } as const;

export interface ColumnStreams {
  meta: ByteWriter;
  nums: ByteWriter;
  dicts: ByteWriter;
  strs: ByteWriter;
  /** Packed integer columns (packed-integers.ts), each on whole bytes. */
  packed: ByteWriter;
  /** Every string a String column has stored in the block so far, numbered in order (shared by the columns). */
  strings: Map<string, number>;
}

export interface ColumnReaders {
  meta: ByteReader;
  nums: ByteReader;
  dicts: ByteReader;
  strs: ByteReader;
  packed: ByteReader;
  /** The block's strings read so far from `strs`: their byte ranges (shared by the String columns). */
  strStarts: number[];
  strEnds: number[];
  /** The entries numbered for references, in order (strings of MIN_REFERENCED bytes or more). */
  referenced: number[];
}

/** How an integer column is stored (the first byte of its meta). */
const IntegerMode = { Plain: 0, Delta: 1, Packed: 2, PackedDelta: 3 } as const;

const NEWLINE = 10;
// Integers too long for a double (block ids of 19 digits): the digits before the last nine, and the last nine.
const LOW_DIGITS = 9;
// What a value can be coded as (bits, all set when the value qualifies).
/** An integer of at most 15 digits (exact in a double, and so are differences), written canonically. */
const CANONICAL = 1;
/** At most 15 digits, no sign (leading zeros allowed). */
const DIGITS = 2;
/** A canonical integer of 10 to 24 digits (LOW_DIGITS + a canonical integer of at most 15). */
const LONG = 4;

/** The kinds of number a value is, in one pass over its characters. */
function numberKinds(v: string): number {
  const n = v.length;
  const start = n > 0 && v.charCodeAt(0) === 45 ? 1 : 0;
  if (n === start) return 0;
  for (let i = start; i < n; i++) {
    const c = v.charCodeAt(i);
    if (c < 48 || c > 57) return 0;
  }
  return runKinds(v, 0, n);
}
const MAX_SHAPE_PARTS = 16;
// Shorter strings are cheaper as text (brotli finds their repeats) than as references.
const MIN_REFERENCED = 10;

export function encodeColumn(values: readonly string[], out: ColumnStreams, allowShape = true): void {
  const n = values.length;
  const first = values[0]!;
  let allSame = true;
  for (let i = 1; i < n && allSame; i++) allSame = values[i] === first;
  if (allSame) {
    out.meta.byte(Coding.Constant);
    out.meta.varint(first.length);
    out.meta.latin1(first);
    return;
  }
  let kinds = CANONICAL | DIGITS | LONG;
  for (let i = 0; i < n && kinds !== 0; i++) {
    const v = values[i]!;
    kinds &= numberKinds(v);
    if (v.length !== first.length) kinds &= ~DIGITS;
  }
  if (kinds & CANONICAL) {
    out.meta.byte(Coding.Integer);
    writeIntegers(values.map(Number), out);
    return;
  }
  if (kinds & LONG) {
    out.meta.byte(Coding.LongInteger);
    writeIntegers(
      values.map((v) => Number(v.slice(0, -LOW_DIGITS))),
      out,
    );
    writeIntegers(
      values.map((v) => Number(v.slice(-LOW_DIGITS))),
      out,
    );
    return;
  }
  if (kinds & DIGITS) {
    out.meta.byte(Coding.FixedWidth);
    out.meta.byte(first.length);
    writeIntegers(values.map(Number), out);
    return;
  }
  if (allowShape && encodeShape(values, out)) return;
  const distinct = new Map<string, number>();
  for (const v of values) if (!distinct.has(v)) distinct.set(v, distinct.size);
  if (distinct.size * 2 <= n) {
    out.meta.byte(Coding.Dictionary);
    out.meta.varint(distinct.size);
    for (const v of distinct.keys()) {
      out.dicts.latin1(v);
      out.dicts.byte(NEWLINE);
    }
    writePlanes(
      Float64Array.from(values, (v) => distinct.get(v)!),
      bytesFor(distinct.size - 1),
      out.nums,
    );
    return;
  }
  out.meta.byte(Coding.String);
  // A value seen before in the block (in any column: a block id recurs in several templates) is a reference to
  // its number, coded as the difference to the previous reference of this column (plus one; 0 is a new value):
  // values that recur in line order make small differences.
  let previous = 0;
  for (const v of values) {
    let number = out.strings.get(v);
    if (number === undefined || v.length < MIN_REFERENCED) {
      out.nums.varint(0);
      out.strs.latin1(v);
      out.strs.byte(NEWLINE);
      if (v.length < MIN_REFERENCED) continue;
      number = out.strings.size;
      out.strings.set(v, number);
    } else {
      const d = number - previous;
      out.nums.varint((d >= 0 ? d * 2 : -d * 2 - 1) + 1);
    }
    previous = number;
  }
}

/**
 * Plain or delta (whichever has the smaller largest magnitude), then either packed (packed-integers.ts: values
 * near their range's entropy, such as random ids) or zigzagged and stored in the fewest whole bytes that hold
 * the largest, as byte planes: every value's low byte, then every value's next byte, … Each plane is
 * homogeneous (a pid's high byte takes few values), which brotli's entropy coder exploits better than varints,
 * whose continuation bits mix the planes. Meta: a mode byte (IntegerMode), then the width of the planes, or
 * the packed values' least (zigzag varint), range and byte length.
 */
function writeIntegers(numbers: ArrayLike<number>, out: ColumnStreams): void {
  const n = numbers.length;
  let plainMax = 0;
  let deltaMax = 0;
  // The ranges packing would store (from the least to the largest value, no zigzag).
  let plainLow = Number.POSITIVE_INFINITY;
  let plainHigh = Number.NEGATIVE_INFINITY;
  let deltaLow = Number.POSITIVE_INFINITY;
  let deltaHigh = Number.NEGATIVE_INFINITY;
  let prev = 0;
  for (let i = 0; i < n; i++) {
    const v = numbers[i]!;
    const p = v >= 0 ? v * 2 : -v * 2 - 1;
    if (p > plainMax) plainMax = p;
    if (v < plainLow) plainLow = v;
    if (v > plainHigh) plainHigh = v;
    const d = v - prev;
    const z = d >= 0 ? d * 2 : -d * 2 - 1;
    if (z > deltaMax) deltaMax = z;
    if (d < deltaLow) deltaLow = d;
    if (d > deltaHigh) deltaHigh = d;
    prev = v;
  }
  const delta = deltaMax < plainMax;
  const width = bytesFor(delta ? deltaMax : plainMax);
  const zigzags = new Float64Array(n);
  prev = 0;
  for (let i = 0; i < n; i++) {
    const v = numbers[i]!;
    const d = delta ? v - prev : v;
    zigzags[i] = d >= 0 ? d * 2 : -d * 2 - 1;
    prev = v;
  }
  // Packing takes the smaller range (random values: plain; rising ones: differences), whatever the planes take.
  const packDelta = deltaHigh - deltaLow < plainHigh - plainLow;
  const min = packDelta ? deltaLow : plainLow;
  const range = (packDelta ? deltaHigh : plainHigh) - min + 1;
  const stored = packDelta ? differences(numbers) : numbers;
  if (shouldPack(stored, range, zigzags, width)) {
    out.meta.byte(packDelta ? IntegerMode.PackedDelta : IntegerMode.Packed);
    out.meta.signed(min);
    out.meta.varint(range);
    out.meta.varint(writePacked(stored, min, range, out.packed));
    return;
  }
  out.meta.byte(delta ? IntegerMode.Delta : IntegerMode.Plain);
  out.meta.byte(width);
  writePlanes(zigzags, width, out.nums);
}

function differences(numbers: ArrayLike<number>): Float64Array {
  const d = new Float64Array(numbers.length);
  let prev = 0;
  for (let i = 0; i < numbers.length; i++) {
    d[i] = numbers[i]! - prev;
    prev = numbers[i]!;
  }
  return d;
}

function bytesFor(max: number): number {
  let width = 0;
  for (let m = max; m > 0; m = Math.floor(m / 256)) width++;
  return width;
}

const unzigzag = (z: number) => (z % 2 === 0 ? z / 2 : -(z + 1) / 2);

/** Unsigned values below 256^width, as `width` byte planes. */
function writePlanes(values: ArrayLike<number>, width: number, out: ByteWriter): void {
  const n = values.length;
  const bytes = out.extend(n * width);
  let scale = 1;
  for (let plane = 0, at = 0; plane < width; plane++, at += n) {
    if (scale < 2 ** 24) for (let i = 0; i < n; i++) bytes[at + i] = (values[i]! / scale) & 255;
    else for (let i = 0; i < n; i++) bytes[at + i] = Math.floor(values[i]! / scale) % 256;
    scale *= 256;
  }
}

function readPlanes(count: number, width: number, input: ByteReader): Float64Array {
  const values = new Float64Array(count);
  let scale = 1;
  for (let plane = 0; plane < width; plane++) {
    const bytes = input.bytes(count);
    for (let i = 0; i < count; i++) values[i]! += bytes[i]! * scale;
    scale *= 256;
  }
  return values;
}

/** Every value has the same text around its numbers: the text once, each number position as a sub-column. */
function encodeShape(values: readonly string[], out: ColumnStreams): boolean {
  const runs: string[] = [];
  const shape = shapeOf(values[0]!, runs);
  const parts = runs.length;
  if (parts === 0 || parts > MAX_SHAPE_PARTS || shape === VARIABLE_MARK) return false;
  const pieces = shape.split(VARIABLE_MARK);
  // Where each value's runs are: value i's run p is [starts[i * parts + p], ends[…]).
  const n = values.length;
  const starts = new Int32Array(n * parts);
  const ends = new Int32Array(n * parts);
  for (let i = 0; i < n; i++) if (!matchShape(values[i]!, pieces, starts, ends, i * parts)) return false;
  out.meta.byte(Coding.Shape);
  out.meta.varint(shape.length);
  out.meta.latin1(shape);
  for (let p = 0; p < parts; p++) encodeRuns(values, starts, ends, parts, p, out);
  return true;
}

/**
 * Does `v` read as `pieces` with a number run between each two? Its runs' places go to `starts`/`ends` at
 * `at`. The pieces and runs rebuild `v` whichever way it is cut, so a cut that shapeOf would not make (a
 * minus sign kept in a piece) is still lossless.
 */
function matchShape(v: string, pieces: readonly string[], starts: Int32Array, ends: Int32Array, at: number): boolean {
  let pos = 0;
  const last = pieces.length - 1;
  for (let k = 0; k < last; k++) {
    const piece = pieces[k]!;
    if (!v.startsWith(piece, pos)) return false;
    pos += piece.length;
    const start = pos;
    if (pos < v.length && v.charCodeAt(pos) === 45 && (pos === 0 || !isAlphanumeric(v.charCodeAt(pos - 1)))) pos++;
    const digits = pos;
    while (pos < v.length && isDigit(v.charCodeAt(pos))) pos++;
    if (pos === digits) return false;
    starts[at + k] = start;
    ends[at + k] = pos;
  }
  const tail = pieces[last]!;
  return v.length === pos + tail.length && v.endsWith(tail);
}

/**
 * Sub-column `p` of a shape, coded as encodeColumn would code its runs as strings, but read from the values
 * in place: runs are numbers, which need no string of their own.
 */
function encodeRuns(
  values: readonly string[],
  starts: Int32Array,
  ends: Int32Array,
  stride: number,
  p: number,
  out: ColumnStreams,
): void {
  const n = values.length;
  const firstValue = values[0]!;
  const firstStart = starts[p]!;
  const firstLength = ends[p]! - firstStart;
  let kinds = CANONICAL | DIGITS | LONG;
  let allSame = true;
  for (let i = 0; i < n; i++) {
    const v = values[i]!;
    const s = starts[i * stride + p]!;
    const e = ends[i * stride + p]!;
    kinds &= runKinds(v, s, e);
    if (e - s !== firstLength) {
      kinds &= ~DIGITS;
      allSame = false;
    } else if (allSame && i > 0) allSame = v.startsWith(firstValue.slice(firstStart, firstStart + firstLength), s);
  }
  if (allSame || kinds === 0) {
    // A constant, or runs that are no number this codec stores (leading zeros of varying length).
    const runs = Array.from(values, (v, i) => v.slice(starts[i * stride + p]!, ends[i * stride + p]!));
    encodeColumn(runs, out, false);
    return;
  }
  if (kinds & (CANONICAL | DIGITS)) {
    const numbers = new Float64Array(n);
    for (let i = 0; i < n; i++) numbers[i] = parseRun(values[i]!, starts[i * stride + p]!, ends[i * stride + p]!);
    if (kinds & CANONICAL) out.meta.byte(Coding.Integer);
    else {
      out.meta.byte(Coding.FixedWidth);
      out.meta.byte(firstLength);
    }
    writeIntegers(numbers, out);
    return;
  }
  out.meta.byte(Coding.LongInteger);
  const high = new Float64Array(n);
  const low = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const v = values[i]!;
    const e = ends[i * stride + p]!;
    const sign = v.charCodeAt(starts[i * stride + p]!) === 45 ? -1 : 1;
    high[i] = sign * parseRun(v, starts[i * stride + p]! + (sign < 0 ? 1 : 0), e - LOW_DIGITS);
    low[i] = parseRun(v, e - LOW_DIGITS, e);
  }
  writeIntegers(high, out);
  writeIntegers(low, out);
}

/** numberKinds of `v.slice(s, e)`, a run: an optional minus sign, then digits. */
function runKinds(v: string, s: number, e: number): number {
  const signed = v.charCodeAt(s) === 45;
  const start = signed ? s + 1 : s;
  const digits = e - start;
  const leadingZero = v.charCodeAt(start) === 48;
  let kinds = 0;
  if (!signed && digits <= 15) kinds |= DIGITS;
  if (digits <= 15 && (!leadingZero || (digits === 1 && !signed))) kinds |= CANONICAL;
  if (digits >= 10 && digits <= 24 && !leadingZero) kinds |= LONG;
  return kinds;
}

/** The integer `v.slice(s, e)` (an optional minus sign, then at most 15 digits). */
function parseRun(v: string, s: number, e: number): number {
  const negative = v.charCodeAt(s) === 45;
  let n = 0;
  for (let i = negative ? s + 1 : s; i < e; i++) n = n * 10 + (v.charCodeAt(i) - 48);
  return negative ? -n : n;
}

const isDigit = (c: number) => c >= 48 && c <= 57;
const isAlphanumeric = (c: number) => isDigit(c) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122);

/**
 * `v` with each number run replaced by VARIABLE_MARK, the runs pushed onto `runs`. A run is digits, with a minus
 * sign when the sign follows no letter or digit (`blk_-42`, not `07-29`): the regex
 * `/(?<![0-9A-Za-z])-\d+|\d+/g`, in one pass over the characters (this runs on every value).
 */
export function shapeOf(v: string, runs: string[]): string {
  const n = v.length;
  let shape = '';
  let copied = 0;
  let i = 0;
  while (i < n) {
    const c = v.charCodeAt(i);
    const starts =
      isDigit(c) ||
      (c === 45 && i + 1 < n && isDigit(v.charCodeAt(i + 1)) && (i === 0 || !isAlphanumeric(v.charCodeAt(i - 1))));
    if (!starts) {
      i++;
      continue;
    }
    let j = i + 1;
    while (j < n && isDigit(v.charCodeAt(j))) j++;
    shape += v.slice(copied, i) + VARIABLE_MARK;
    runs.push(v.slice(i, j));
    copied = j;
    i = j;
  }
  return copied === 0 ? v : shape + v.slice(copied);
}

export function decodeColumn(count: number, input: ColumnReaders): ColumnValues {
  const coding = input.meta.byte();
  switch (coding) {
    case Coding.Constant:
      return new ConstantValues(input.meta.bytes(input.meta.varint()));
    case Coding.Integer:
      return new IntegerValues(readIntegers(count, input), 0);
    case Coding.LongInteger: {
      const high = readIntegers(count, input);
      return new LongIntegerValues(high, readIntegers(count, input), LOW_DIGITS);
    }
    case Coding.FixedWidth: {
      const width = input.meta.byte();
      return new IntegerValues(readIntegers(count, input), width);
    }
    case Coding.Shape: {
      const pieces = input.meta.latin1(input.meta.varint()).split(VARIABLE_MARK);
      const parts: ColumnValues[] = [];
      for (let p = 1; p < pieces.length; p++) parts.push(decodeColumn(count, input));
      return new ShapeValues(
        pieces.map((piece) => Buffer.from(piece, 'latin1')),
        parts,
      );
    }
    case Coding.Dictionary: {
      const size = input.meta.varint();
      const starts = new Int32Array(size);
      const ends = new Int32Array(size);
      readRanges(size, input.dicts, starts, ends);
      const indices = readPlanes(count, bytesFor(size - 1), input.nums);
      for (let i = 0; i < count; i++)
        if (indices[i]! >= size) throw new TruncatedDataError('dictionary index out of range');
      return new RangeValues(input.dicts.buf, starts, ends, indices);
    }
    case Coding.String: {
      // Every string read from `strs` is an entry of the block's table (input.strs*); those of
      // MIN_REFERENCED bytes or more are also numbered for references (input.referenced).
      const { strStarts, strEnds, referenced } = input;
      const entries = new Int32Array(count);
      let previous = 0;
      for (let i = 0; i < count; i++) {
        const r = input.nums.varint();
        if (r === 0) {
          const entry = strStarts.length;
          readRanges(1, input.strs, strStarts, strEnds);
          entries[i] = entry;
          if (strEnds[entry]! - strStarts[entry]! < MIN_REFERENCED) continue;
          previous = referenced.length;
          referenced.push(entry);
          continue;
        }
        const z = r - 1;
        previous += z % 2 === 0 ? z / 2 : -(z + 1) / 2;
        const entry = referenced[previous];
        if (entry === undefined) throw new TruncatedDataError('string reference out of range');
        entries[i] = entry;
      }
      return new RangeValues(input.strs.buf, strStarts, strEnds, entries);
    }
    default:
      throw new TruncatedDataError(`unknown column coding ${coding}`);
  }
}

/**
 * Steps over a column as decodeColumn would read it, without building its values (grep rebuilds only some
 * templates' lines). String columns are decoded all the same: later columns may refer to their strings.
 */
export function skipColumn(count: number, input: ColumnReaders): void {
  const at = input.meta.pos;
  const coding = input.meta.byte();
  switch (coding) {
    case Coding.Constant:
      input.meta.bytes(input.meta.varint());
      return;
    case Coding.Integer:
      skipIntegers(count, input);
      return;
    case Coding.LongInteger:
      skipIntegers(count, input);
      skipIntegers(count, input);
      return;
    case Coding.FixedWidth:
      input.meta.byte();
      skipIntegers(count, input);
      return;
    case Coding.Shape: {
      const parts = input.meta.latin1(input.meta.varint()).split(VARIABLE_MARK).length - 1;
      for (let p = 0; p < parts; p++) skipColumn(count, input);
      return;
    }
    case Coding.Dictionary: {
      const size = input.meta.varint();
      for (let i = 0; i < size; i++) {
        const end = input.dicts.buf.indexOf(NEWLINE, input.dicts.pos);
        if (end === -1) throw new TruncatedDataError('unterminated string');
        input.dicts.pos = end + 1;
      }
      input.nums.bytes(count * bytesFor(size - 1));
      return;
    }
    default:
      input.meta.pos = at;
      decodeColumn(count, input);
  }
}

function skipIntegers(count: number, input: ColumnReaders): void {
  const mode = input.meta.byte();
  if (mode === IntegerMode.Packed || mode === IntegerMode.PackedDelta) {
    input.meta.signed();
    input.meta.varint();
    input.packed.bytes(input.meta.varint());
  } else input.nums.bytes(count * input.meta.byte());
}

/** The ranges of `count` newline-terminated strings, stored (or pushed) into `starts` and `ends`. */
function readRanges(
  count: number,
  reader: ByteReader,
  starts: Int32Array | number[],
  ends: Int32Array | number[],
): void {
  const buf = reader.buf;
  const base = Array.isArray(starts) ? starts.length : 0;
  for (let i = 0; i < count; i++) {
    const end = buf.indexOf(NEWLINE, reader.pos);
    if (end === -1) throw new TruncatedDataError('unterminated string');
    starts[base + i] = reader.pos;
    ends[base + i] = end;
    reader.pos = end + 1;
  }
}

function readIntegers(count: number, input: ColumnReaders): Float64Array {
  const mode = input.meta.byte();
  let values: Float64Array;
  if (mode === IntegerMode.Packed || mode === IntegerMode.PackedDelta) {
    const min = input.meta.signed();
    const range = input.meta.varint();
    const bytes = input.packed.bytes(input.meta.varint());
    if (range < 1 || range > 2 ** 53) throw new TruncatedDataError(`packed integers of range ${range}`);
    values = new Float64Array(count);
    readPacked(count, min, range, bytes, values);
    if (mode === IntegerMode.PackedDelta) for (let i = 1; i < count; i++) values[i]! += values[i - 1]!;
    return values;
  }
  if (mode !== IntegerMode.Plain && mode !== IntegerMode.Delta) throw new TruncatedDataError(`integer mode ${mode}`);
  const delta = mode === IntegerMode.Delta;
  values = readPlanes(count, input.meta.byte(), input.nums);
  let prev = 0;
  for (let i = 0; i < count; i++) {
    const z = values[i]!;
    const v = z < 2147483648 ? (z >>> 1) ^ -(z & 1) : unzigzag(z);
    prev = delta ? prev + v : v;
    values[i] = prev;
  }
  return values;
}

/** `count` newline-terminated strings. */
export function readStrings(count: number, reader: ByteReader): string[] {
  const values = new Array<string>(count);
  const buf = reader.buf;
  for (let i = 0; i < count; i++) {
    const end = buf.indexOf(NEWLINE, reader.pos);
    if (end === -1) throw new TruncatedDataError('unterminated string');
    values[i] = buf.toString('latin1', reader.pos, end);
    reader.pos = end + 1;
  }
  return values;
}
