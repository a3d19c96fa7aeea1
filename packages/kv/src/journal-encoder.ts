import { crc32Range } from './crc32.js';
import type { JournalRecord } from './journal-format.js';

/** Room for a turn's lines at a server's rate; grown (never shrunk) when a turn writes more. */
const INITIAL_BYTES = 64 * 1024;

/**
 * Journal lines written straight to bytes, byte for byte what `encodeLine` makes of the same records (a test
 * holds them equal): a server journals every change, and building each line as a string (JSON, checksum over
 * the string, then a join and a UTF-8 encode per turn) cost more than the change itself. Keys and values that
 * are ASCII and need no JSON escape are copied a character at a time; any other string goes through
 * JSON.stringify.
 *
 * The bytes `take` returns are a view of the encoder's buffer: valid until the next `add`.
 */
export class JournalEncoder {
  private buf = Buffer.allocUnsafe(INITIAL_BYTES);
  private end = 0;
  /** Lines added since the last `take` (or `clear`). */
  lines = 0;

  /** Appends the line of one record: `{"c":"<crc32 hex>","r":<record JSON>}\n`. */
  add(record: JournalRecord): void {
    const start = this.end;
    this.ascii('{"c":"00000000","r":');
    const body = this.end;
    this.record(record);
    writeHex(this.buf, start + 6, crc32Range(this.buf, body, this.end));
    this.ascii('}\n');
    this.lines++;
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
  }

  private record(r: JournalRecord): void {
    switch (r.op) {
      case 'set':
        this.ascii('{"op":"set","k":');
        this.string(r.k);
        this.ascii(',"v":');
        this.string(r.v);
        this.ascii(r.x === null ? ',"x":null}' : `,"x":${r.x}}`);
        return;
      case 'del':
        this.ascii('{"op":"del","k":');
        this.string(r.k);
        this.ascii('}');
        return;
      case 'batch':
        this.ascii('{"op":"batch","ops":[');
        for (let i = 0; i < r.ops.length; i++) {
          if (i > 0) this.ascii(',');
          this.record(r.ops[i]!);
        }
        this.ascii(']}');
        return;
      default:
        this.ascii('{"op":"clear"}');
    }
  }

  /** A JSON string literal. */
  private string(s: string): void {
    const n = s.length;
    this.reserve(n + 2);
    const buf = this.buf;
    let at = this.end;
    buf[at++] = 0x22;
    for (let i = 0; i < n; i++) {
      const c = s.charCodeAt(i);
      if (c < 0x20 || c === 0x22 || c === 0x5c || c >= 0x80) {
        this.escaped(s);
        return;
      }
      buf[at++] = c;
    }
    buf[at++] = 0x22;
    this.end = at;
  }

  /** A string with escapes or non-ASCII text: as JSON.stringify writes it (lone surrogates become \udcXX). */
  private escaped(s: string): void {
    const json = JSON.stringify(s);
    const bytes = Buffer.byteLength(json, 'utf8');
    this.reserve(bytes);
    this.end += this.buf.write(json, this.end, 'utf8');
  }

  /** ASCII text the encoder itself writes (punctuation, field names, numbers). */
  private ascii(text: string): void {
    const n = text.length;
    this.reserve(n);
    const buf = this.buf;
    let at = this.end;
    for (let i = 0; i < n; i++) buf[at++] = text.charCodeAt(i);
    this.end = at;
  }

  private reserve(n: number): void {
    if (this.end + n <= this.buf.length) return;
    const next = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.end + n));
    this.buf.copy(next, 0, 0, this.end);
    this.buf = next;
  }
}

const HEX_DIGITS = Buffer.from('0123456789abcdef');

/** `crc` as 8 lowercase hex digits at `at`. */
function writeHex(buf: Buffer, at: number, crc: number): void {
  for (let i = 7; i >= 0; i--) {
    buf[at + i] = HEX_DIGITS[crc & 0xf]!;
    crc >>>= 4;
  }
}
