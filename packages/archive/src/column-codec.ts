import { type ByteReader, type ByteWriter, TruncatedDataError } from './byte-buffer.js';
import { VARIABLE_MARK } from './line-tokenizer.js';

/**
 * The values of one template slot in one block (a column), coded by what they are: one repeated value, integers
 * (plain or as differences), fixed-width digit strings (`081109`), a shared shape with numbers inside
 * (`10.251.43.21`: four integer sub-columns), a dictionary of few distinct strings, or the strings themselves.
 * The coding's parameters go to `meta`, integers and dictionary indices to `nums`, dictionary entries to `dicts`
 * and plain strings to `strs`: four homogeneous streams that each compress well on their own.
 */
const Coding = { String: 0, Dictionary: 1, Integer: 2, FixedWidth: 3, Shape: 4, Constant: 5 } as const;

export interface ColumnStreams {
  meta: ByteWriter;
  nums: ByteWriter;
  dicts: ByteWriter;
  strs: ByteWriter;
}

export interface ColumnReaders {
  meta: ByteReader;
  nums: ByteReader;
  dicts: ByteReader;
  strs: ByteReader;
}

const NEWLINE = 10;
// Integers of at most 15 digits are exact in a double, and so are their differences.
const CANONICAL_INT = /^(?:0|-?[1-9]\d{0,14})$/;
const DIGITS = /^\d{1,15}$/;
// A digit run, with a minus sign when the sign does not follow a letter or digit (`blk_-42`, not `07-29`).
const NUMBER_RUN = /(?<![0-9A-Za-z])-\d+|\d+/g;
const MAX_SHAPE_PARTS = 16;

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
  if (values.every((v) => CANONICAL_INT.test(v))) {
    out.meta.byte(Coding.Integer);
    writeIntegers(values.map(Number), out);
    return;
  }
  if (values.every((v) => v.length === first.length && DIGITS.test(v))) {
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
    for (const v of values) out.nums.varint(distinct.get(v)!);
    return;
  }
  out.meta.byte(Coding.String);
  for (const v of values) {
    out.strs.latin1(v);
    out.strs.byte(NEWLINE);
  }
}

/** Plain or delta, whichever takes fewer varint bytes. */
function writeIntegers(numbers: number[], out: ColumnStreams): void {
  let plainBytes = 0;
  let deltaBytes = 0;
  let prev = 0;
  for (const v of numbers) {
    plainBytes += varintSize(v >= 0 ? v * 2 : -v * 2 - 1);
    const d = v - prev;
    deltaBytes += varintSize(d >= 0 ? d * 2 : -d * 2 - 1);
    prev = v;
  }
  const delta = deltaBytes < plainBytes;
  out.meta.byte(delta ? 1 : 0);
  prev = 0;
  for (const v of numbers) {
    out.nums.signed(delta ? v - prev : v);
    prev = v;
  }
}

function varintSize(v: number): number {
  let size = 1;
  while (v >= 0x80) {
    v = Math.floor(v / 0x80);
    size++;
  }
  return size;
}

/** Every value has the same text around its numbers: the text once, each number position as a sub-column. */
function encodeShape(values: readonly string[], out: ColumnStreams): boolean {
  const shape = values[0]!.replace(NUMBER_RUN, VARIABLE_MARK);
  if (shape === VARIABLE_MARK || shape.includes(VARIABLE_MARK + VARIABLE_MARK)) return false;
  const parts = shape.split(VARIABLE_MARK).length - 1;
  if (parts === 0 || parts > MAX_SHAPE_PARTS) return false;
  const columns: string[][] = Array.from({ length: parts }, () => []);
  for (const v of values) {
    const runs = v.match(NUMBER_RUN);
    if (runs === null || runs.length !== parts) return false;
    if (v.replace(NUMBER_RUN, VARIABLE_MARK) !== shape) return false;
    for (let p = 0; p < parts; p++) columns[p]!.push(runs[p]!);
  }
  out.meta.byte(Coding.Shape);
  out.meta.varint(shape.length);
  out.meta.latin1(shape);
  for (const column of columns) encodeColumn(column, out, false);
  return true;
}

export function decodeColumn(count: number, input: ColumnReaders): string[] {
  const coding = input.meta.byte();
  switch (coding) {
    case Coding.Constant: {
      const value = input.meta.latin1(input.meta.varint());
      return new Array<string>(count).fill(value);
    }
    case Coding.Integer:
      return readIntegers(count, input).map(String);
    case Coding.FixedWidth: {
      const width = input.meta.byte();
      return readIntegers(count, input).map((v) => String(v).padStart(width, '0'));
    }
    case Coding.Shape: {
      const pieces = input.meta.latin1(input.meta.varint()).split(VARIABLE_MARK);
      const columns: string[][] = [];
      for (let p = 1; p < pieces.length; p++) columns.push(decodeColumn(count, input));
      const values = new Array<string>(count);
      for (let i = 0; i < count; i++) {
        let text = pieces[0]!;
        for (let p = 1; p < pieces.length; p++) text += columns[p - 1]![i]! + pieces[p]!;
        values[i] = text;
      }
      return values;
    }
    case Coding.Dictionary: {
      const entries = readStrings(input.meta.varint(), input.dicts);
      const values = new Array<string>(count);
      for (let i = 0; i < count; i++) {
        const value = entries[input.nums.varint()];
        if (value === undefined) throw new TruncatedDataError('dictionary index out of range');
        values[i] = value;
      }
      return values;
    }
    case Coding.String:
      return readStrings(count, input.strs);
    default:
      throw new TruncatedDataError(`unknown column coding ${coding}`);
  }
}

function readIntegers(count: number, input: ColumnReaders): number[] {
  const delta = input.meta.byte() === 1;
  const values = new Array<number>(count);
  let prev = 0;
  for (let i = 0; i < count; i++) {
    const v = input.nums.signed();
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
