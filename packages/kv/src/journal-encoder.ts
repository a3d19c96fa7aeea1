import { crc32Range } from './crc32.js';
import type { JournalRecord } from './journal-format.js';

/** Room for a turn's lines at a server's rate; grown (never shrunk) when a turn writes more. */
const INITIAL_BYTES = 64 * 1024;

/**
 * Journal lines written straight to bytes, byte for byte what `encodeLine` makes of the same records (a test
 * holds them equal): a server journals every change, and building each line as a string (JSON, checksum over
 * the string, then a join and a UTF-8 encode per turn) cost more than the change itself.
 *
 * The encoder's own text (field names, punctuation) is copied from bytes made once (a set's, four at a store
 * through a DataView); keys and values that are ASCII and need no JSON escape are copied a character at a time,
 * and expiry times written digit by digit.
 * A key record with any other string is written again from its start through JSON.stringify (rare: binary data).
 *
 * A server adds the key changes of a command one by one (`set`, `del`, then `endLine`), with no record object
 * per key nor per command. The bytes `take` returns are a view of the encoder's buffer: valid until the next
 * `add`; `take` expects no line in progress.
 */
export class JournalEncoder {
  private buf = Buffer.allocUnsafe(INITIAL_BYTES);
  /** `buf` four bytes at a time, for the encoder's own text. */
  private view = new DataView(this.buf.buffer, this.buf.byteOffset, this.buf.length);
  private end = 0;
  /** Where the line in progress starts, and how many key records it holds so far (0: none in progress). */
  private lineStart = 0;
  private keyRecords = 0;
  /** Lines added since the last `take` (or `clear`). */
  lines = 0;

  /** Appends the line of one record: `{"c":"<crc32 hex>","r":<record JSON>}\n`. */
  add(record: JournalRecord): void {
    this.endLine();
    switch (record.op) {
      case 'set':
        this.set(record.k, record.v, record.x);
        break;
      case 'del':
        this.del(record.k);
        break;
      case 'batch': {
        // As given, even of one record (a command's line is a batch only when it has several).
        this.lineStart = this.end;
        this.reserve(LINE_HEAD.length + BATCH_HEAD.length);
        this.end = copy(this.buf, copy(this.buf, this.end, LINE_HEAD), BATCH_HEAD);
        const ops = record.ops;
        for (let i = 0; i < ops.length; i++) {
          if (i > 0) {
            this.reserve(1);
            this.buf[this.end++] = COMMA;
          }
          const op = ops[i]!;
          if (op.op === 'set') this.writeSet(op.k, op.v, op.x);
          else this.writeDel(op.k);
        }
        this.reserve(BATCH_END.length);
        this.end = copy(this.buf, this.end, BATCH_END);
        this.closeLine();
        return;
      }
      default:
        this.lineStart = this.end;
        this.reserve(LINE_HEAD.length + CLEAR.length);
        this.end = copy(this.buf, copy(this.buf, this.end, LINE_HEAD), CLEAR);
        this.closeLine();
        return;
    }
    this.endLine();
  }

  /**
   * Adds a set of `k` to the line in progress, written straight from the strings: the key changes of one command
   * make one line (see `endLine`), with no record object per key.
   */
  set(k: string, v: string, x: number | null): void {
    this.nextKeyRecord();
    this.writeSet(k, v, x);
  }

  /** Adds a delete of `k` to the line in progress. */
  del(k: string): void {
    this.nextKeyRecord();
    this.writeDel(k);
  }

  /**
   * Ends the line of the key records added since the last end: the record itself when there is one, a `batch`
   * of them when there are several (one checksum over all of them).
   */
  endLine(): void {
    if (this.keyRecords === 0) return;
    if (this.keyRecords > 1) {
      this.reserve(BATCH_END.length);
      this.end = copy(this.buf, this.end, BATCH_END);
    }
    this.keyRecords = 0;
    this.closeLine();
  }

  /** The lines added since the last take, as bytes (a view: valid until the next add); empties the encoder. */
  take(): Buffer {
    const out = this.buf.subarray(0, this.end);
    this.clear();
    return out;
  }

  /** Drops the lines not taken (their changes failed). */
  clear(): void {
    this.end = 0;
    this.lines = 0;
    this.keyRecords = 0;
  }

  /**
   * Where the next key record of the line in progress goes: after the line's head for the first, after a comma
   * for the others. A second record makes the line a batch: the first moves right to make room for its head
   * (one copy per command of several keys, none for a command of one).
   */
  private nextKeyRecord(): void {
    if (this.keyRecords === 0) {
      this.lineStart = this.end;
      this.reserve(LINE_HEAD.length);
      this.end = copy(this.buf, this.end, LINE_HEAD);
    } else {
      this.reserve(BATCH_HEAD.length + 1);
      if (this.keyRecords === 1) {
        const body = this.lineStart + LINE_HEAD.length;
        // A loop, not `copyWithin`: the server's optimized code loaded `copyWithin` through a LoadIC call each
        // time (perf), and the record is a few dozen bytes.
        const buf = this.buf;
        for (let i = this.end - 1; i >= body; i--) buf[i + BATCH_HEAD.length] = buf[i]!;
        copy(buf, body, BATCH_HEAD);
        this.end += BATCH_HEAD.length;
      }
      this.buf[this.end++] = COMMA;
    }
    this.keyRecords++;
  }

  /** The line's checksum over its record's bytes, in place, and its end. */
  private closeLine(): void {
    const start = this.lineStart;
    writeHex(this.buf, start + 6, crc32Range(this.buf, start + LINE_HEAD.length, this.end));
    this.reserve(LINE_END.length);
    this.end = copy(this.buf, this.end, LINE_END);
    this.lines++;
  }

  private writeSet(k: string, v: string, x: number | null): void {
    const at = this.end;
    if (!this.plainSet(k, v, x)) {
      this.end = at;
      this.escapedSet(k, v, x);
    }
  }

  private writeDel(k: string): void {
    const at = this.end;
    if (!this.plainDel(k)) {
      this.end = at;
      this.text('{"op":"del","k":');
      this.json(k);
      this.text('}');
    }
  }

  /** `{"op":"del","k":"…"}` if the key is plain ASCII, with one reserve; false (half written) if not. */
  private plainDel(k: string): boolean {
    this.reserve(DEL_HEAD.length + k.length + DEL_END.length);
    const buf = this.buf;
    const at = plainChars(buf, copy(buf, this.end, DEL_HEAD), k);
    if (at < 0) return false;
    this.end = copy(buf, at, DEL_END);
    return true;
  }

  /** `{"op":"set","k":"…","v":"…","x":…}` if every string is plain ASCII, with one reserve; false if not. */
  private plainSet(k: string, v: string, x: number | null): boolean {
    if (x !== null && !(Number.isSafeInteger(x) && x >= 0)) return false; // JSON.stringify's digits: 1e+21
    this.reserve(
      SET_HEAD.bytes.length + k.length + SET_VALUE.bytes.length + v.length + SET_EXPIRY.length + MAX_DIGITS + 1,
    );
    const buf = this.buf;
    const view = this.view;
    let at = copyWords(view, buf, this.end, SET_HEAD);
    at = plainChars(buf, at, k);
    if (at < 0) return false;
    at = copyWords(view, buf, at, SET_VALUE);
    at = plainChars(buf, at, v);
    if (at < 0) return false;
    if (x === null) {
      this.end = copyWords(view, buf, at, SET_NO_EXPIRY);
      return true;
    }
    at = writeInteger(buf, copy(buf, at, SET_EXPIRY), x);
    buf[at++] = CLOSE_BRACE;
    this.end = at;
    return true;
  }

  /** A set as encodeLine writes any string: through JSON.stringify (escapes, non-ASCII text). */
  private escapedSet(k: string, v: string, x: number | null): void {
    this.text('{"op":"set","k":');
    this.json(k);
    this.text(',"v":');
    this.json(v);
    this.text(`,"x":${x}}`);
  }

  /** A JSON string literal as JSON.stringify writes it (lone surrogates become \udcXX). */
  private json(s: string): void {
    this.text(JSON.stringify(s));
  }

  private text(s: string): void {
    this.reserve(Buffer.byteLength(s, 'utf8'));
    this.end += this.buf.write(s, this.end, 'utf8');
  }

  private reserve(n: number): void {
    if (this.end + n <= this.buf.length) return;
    const next = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.end + n));
    this.buf.copy(next, 0, 0, this.end);
    this.buf = next;
    this.view = new DataView(next.buffer, next.byteOffset, next.length);
  }
}

const ascii = (s: string): Uint8Array => Uint8Array.from(s, (c) => c.charCodeAt(0));
const LINE_HEAD = ascii('{"c":"00000000","r":');
const LINE_END = ascii('}\n');
const SET_HEAD = fragment('{"op":"set","k":"');
const SET_VALUE = fragment('","v":"');
const SET_EXPIRY = ascii('","x":');
const SET_NO_EXPIRY = fragment('","x":null}');
const DEL_HEAD = ascii('{"op":"del","k":"');
const DEL_END = ascii('"}');
const BATCH_HEAD = ascii('{"op":"batch","ops":[');
const BATCH_END = ascii(']}');
const CLEAR = ascii('{"op":"clear"}');
const COMMA = 0x2c;
const CLOSE_BRACE = 0x7d;
/** Digits of the longest expiry (a safe integer). */
const MAX_DIGITS = 16;

/** Copies `bytes` to `buf` at `at`; where they end. (A loop: short fragments copy faster than through `set`.) */
function copy(buf: Buffer, at: number, bytes: Uint8Array): number {
  for (let i = 0; i < bytes.length; i++) buf[at + i] = bytes[i]!;
  return at + bytes.length;
}

/** Text the encoder writes for every key, as bytes and as little-endian 32-bit words of them. */
interface Fragment {
  bytes: Uint8Array;
  words: Uint32Array;
}

function fragment(s: string): Fragment {
  const bytes = ascii(s);
  const words = new Uint32Array(bytes.length >> 2);
  for (let w = 0; w < words.length; w++) {
    const i = w * 4;
    words[w] = (bytes[i]! | (bytes[i + 1]! << 8) | (bytes[i + 2]! << 16) | (bytes[i + 3]! << 24)) >>> 0;
  }
  return { bytes, words };
}

/** `copy` four bytes a store: the fragments of a set record are copied for every key. */
function copyWords(view: DataView, buf: Buffer, at: number, f: Fragment): number {
  const words = f.words;
  for (let w = 0; w < words.length; w++) view.setUint32(at + w * 4, words[w]!, true);
  const bytes = f.bytes;
  for (let i = words.length * 4; i < bytes.length; i++) buf[at + i] = bytes[i]!;
  return at + bytes.length;
}

/**
 * Copies an ASCII string that JSON needs no escape for; where it ends, or -1 at a character that needs more.
 *
 * `String.prototype.charCodeAt.call(s, i)`, not `s.charCodeAt(i)`: in the server the optimizing compiler left
 * `s.charCodeAt` to a LoadIC call per character (perf: `Builtins_LoadIC` from `plainSet`, ~6% of an MSET's
 * CPU, 190 calls a 10-key MSET); with the function read from String.prototype it inlines the character read.
 * (Through a module constant it did not: a generic call per character.)
 */
function plainChars(buf: Buffer, at: number, s: string): number {
  const n = s.length;
  for (let i = 0; i < n; i++) {
    const c = String.prototype.charCodeAt.call(s, i);
    // 0x20 <= c < 0x80 as one unsigned compare (a 16-byte key and 3-byte value: 53 -> 49 ns).
    if ((c - 0x20) >>> 0 >= 0x60 || c === 0x22 || c === 0x5c) return -1;
    buf[at + i] = c;
  }
  return at + n;
}

/**
 * A non-negative safe integer in decimal (an expiry: JSON.stringify's digits); where it ends. In two int32
 * halves of eight digits: a double's `%` is a library call per digit.
 */
function writeInteger(buf: Buffer, at: number, n: number): number {
  let high = Math.floor(n / 1e8);
  let low = n - high * 1e8;
  if (low < 0) {
    high--;
    low += 1e8;
  }
  if (high === 0) return writeInt32(buf, at, low, 0);
  return writeInt32(buf, writeInt32(buf, at, high, 0), low, 8);
}

/** `n` (0 <= n < 1e8) in decimal, zero-padded to `width` digits; where it ends. */
function writeInt32(buf: Buffer, at: number, n: number, width: number): number {
  let digits = 1;
  for (let p = 10; p <= n; p *= 10) digits++;
  if (digits < width) digits = width;
  const end = at + digits;
  for (let i = end - 1; i >= at; i--) {
    const q = (n / 10) | 0;
    buf[i] = 0x30 + n - q * 10;
    n = q;
  }
  return end;
}

const HEX_DIGITS = Buffer.from('0123456789abcdef');

/** `crc` as 8 lowercase hex digits at `at`. */
function writeHex(buf: Buffer, at: number, crc: number): void {
  for (let i = 7; i >= 0; i--) {
    buf[at + i] = HEX_DIGITS[crc & 0xf]!;
    crc >>>= 4;
  }
}
