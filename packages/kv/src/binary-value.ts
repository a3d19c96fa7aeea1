// Imported, not the global: Node's global `Buffer` is a getter, a call per use on a path run for every key and value.
import { Buffer, isUtf8 } from 'node:buffer';

/**
 * Keys and values are binary in Redis, but the store's files hold JSON strings. Bytes that are valid UTF-8 are
 * stored as the text they spell; any byte that is not part of a valid UTF-8 sequence is stored as the lone
 * surrogate U+DC80–U+DCFF (Python's "surrogateescape", PEP 383), which JSON writes as `\udc80`…`\udcff`.
 * Valid UTF-8 never decodes to a lone surrogate, so the mapping is lossless both ways and every existing text
 * value keeps its meaning.
 */
export function bytesToKvString(bytes: Uint8Array): string {
  const buf = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  // Keys and short values are mostly ASCII: a byte loop and a latin1 decode cost half of isUtf8 + a UTF-8 decode.
  if (buf.length <= 64 && isAscii(buf, 0, buf.length)) return latin1(buf, 0, buf.length);
  return decodeMixed(buf);
}

/**
 * `bytesToKvString(buf.subarray(start, end))` without the view when the bytes are short ASCII (a server reads
 * MSET's keys and values where the parser found them: a view is a typed array, ~25 ns to make).
 */
export function bytesToKvStringAt(buf: Buffer, start: number, end: number): string {
  if (end - start <= 64 && isAscii(buf, start, end)) return latin1(buf, start, end - start);
  return decodeMixed(buf.subarray(start, end));
}

/** Bytes that are not all short ASCII: UTF-8 text, with any stray byte as its lone surrogate. */
function decodeMixed(buf: Buffer): string {
  if (isUtf8(buf)) return buf.toString('utf8');
  let out = '';
  let i = 0;
  while (i < buf.length) {
    const n = validSequenceLength(buf, i);
    if (n === 0) {
      out += String.fromCharCode(0xdc00 + buf[i]!);
      i++;
    } else {
      out += buf.toString('utf8', i, i + n);
      i += n;
    }
  }
  return out;
}

/** The bytes `bytesToKvString` made `text` from (a lone surrogate outside U+DC80–U+DCFF becomes U+FFFD's bytes). */
export function kvStringToBytes(text: string): Buffer {
  if (isWellFormedKvString(text)) return Buffer.from(text, 'utf8');
  const parts: Buffer[] = [];
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0xdc80 && c <= 0xdcff && !(i > 0 && isHigh(text.charCodeAt(i - 1)))) {
      parts.push(Buffer.from(text.slice(start, i), 'utf8'), Buffer.of(c - 0xdc00));
      start = i + 1;
    }
  }
  parts.push(Buffer.from(text.slice(start), 'utf8'));
  return Buffer.concat(parts);
}

/** The number of bytes `kvStringToBytes(text)` would have, without building them (STRLEN, APPEND). */
export function kvStringByteLength(text: string): number {
  return isWellFormedKvString(text) ? Buffer.byteLength(text, 'utf8') : kvStringToBytes(text).length;
}

/** Whether `text` has no lone surrogate, i.e. is plain UTF-8 text (String.prototype.isWellFormed, ES2024). */
export function isWellFormedKvString(text: string): boolean {
  return (text as unknown as { isWellFormed(): boolean }).isWellFormed();
}

type Latin1Buffer = Buffer & { latin1Slice(start: number, end: number): string };
const hasLatin1Slice = typeof (Buffer.prototype as Partial<Latin1Buffer>).latin1Slice === 'function';

/**
 * `buf.toString('latin1', s, s + n)` without its encoding lookup and range checks (a fifth of a short key's decode); up to
 * sixteen bytes through String.fromCharCode, which V8 runs without leaving JavaScript (a 3-byte value 55 -> 20 ns;
 * a 16-byte key, redis-benchmark's `key:000000012345`, ~40 ns less than the native latin1Slice call).
 */
// biome-ignore format: a case a line, the bytes of each as arguments
function latin1(b: Buffer, s: number, n: number): string {
  switch (n) {
    case 0:
      return '';
    case 1: return String.fromCharCode(b[s]!);
    case 2: return String.fromCharCode(b[s]!, b[s + 1]!);
    case 3: return String.fromCharCode(b[s]!, b[s + 1]!, b[s + 2]!);
    case 4: return String.fromCharCode(b[s]!, b[s + 1]!, b[s + 2]!, b[s + 3]!);
    case 5: return String.fromCharCode(b[s]!, b[s + 1]!, b[s + 2]!, b[s + 3]!, b[s + 4]!);
    case 6: return String.fromCharCode(b[s]!, b[s + 1]!, b[s + 2]!, b[s + 3]!, b[s + 4]!, b[s + 5]!);
    case 7: return String.fromCharCode(b[s]!, b[s + 1]!, b[s + 2]!, b[s + 3]!, b[s + 4]!, b[s + 5]!, b[s + 6]!);
    case 8: return String.fromCharCode(b[s]!, b[s + 1]!, b[s + 2]!, b[s + 3]!, b[s + 4]!, b[s + 5]!, b[s + 6]!, b[s + 7]!);
    case 9: return String.fromCharCode(b[s]!, b[s + 1]!, b[s + 2]!, b[s + 3]!, b[s + 4]!, b[s + 5]!, b[s + 6]!, b[s + 7]!, b[s + 8]!);
    case 10: return String.fromCharCode(b[s]!, b[s + 1]!, b[s + 2]!, b[s + 3]!, b[s + 4]!, b[s + 5]!, b[s + 6]!, b[s + 7]!, b[s + 8]!, b[s + 9]!);
    case 11: return String.fromCharCode(b[s]!, b[s + 1]!, b[s + 2]!, b[s + 3]!, b[s + 4]!, b[s + 5]!, b[s + 6]!, b[s + 7]!, b[s + 8]!, b[s + 9]!, b[s + 10]!);
    case 12: return String.fromCharCode(b[s]!, b[s + 1]!, b[s + 2]!, b[s + 3]!, b[s + 4]!, b[s + 5]!, b[s + 6]!, b[s + 7]!, b[s + 8]!, b[s + 9]!, b[s + 10]!, b[s + 11]!);
    case 13: return String.fromCharCode(b[s]!, b[s + 1]!, b[s + 2]!, b[s + 3]!, b[s + 4]!, b[s + 5]!, b[s + 6]!, b[s + 7]!, b[s + 8]!, b[s + 9]!, b[s + 10]!, b[s + 11]!, b[s + 12]!);
    case 14: return String.fromCharCode(b[s]!, b[s + 1]!, b[s + 2]!, b[s + 3]!, b[s + 4]!, b[s + 5]!, b[s + 6]!, b[s + 7]!, b[s + 8]!, b[s + 9]!, b[s + 10]!, b[s + 11]!, b[s + 12]!, b[s + 13]!);
    case 15: return String.fromCharCode(b[s]!, b[s + 1]!, b[s + 2]!, b[s + 3]!, b[s + 4]!, b[s + 5]!, b[s + 6]!, b[s + 7]!, b[s + 8]!, b[s + 9]!, b[s + 10]!, b[s + 11]!, b[s + 12]!, b[s + 13]!, b[s + 14]!);
    case 16: return String.fromCharCode(b[s]!, b[s + 1]!, b[s + 2]!, b[s + 3]!, b[s + 4]!, b[s + 5]!, b[s + 6]!, b[s + 7]!, b[s + 8]!, b[s + 9]!, b[s + 10]!, b[s + 11]!, b[s + 12]!, b[s + 13]!, b[s + 14]!, b[s + 15]!);
    default:
      return hasLatin1Slice ? (b as Latin1Buffer).latin1Slice(s, s + n) : b.toString('latin1', s, s + n);
  }
}

const isHigh = (c: number) => c >= 0xd800 && c <= 0xdbff;

/** Whether buf[start, end) is ASCII. (Up to 64 bytes: no branch per byte, the bytes' bits or-ed.) */
function isAscii(buf: Buffer, start: number, end: number): boolean {
  let bits = 0;
  for (let i = start; i < end; i++) bits |= buf[i]!;
  return bits < 0x80;
}

/** Length of the well-formed UTF-8 sequence starting at `i` (RFC 3629: no overlongs, surrogates or > U+10FFFF), or 0. */
function validSequenceLength(buf: Buffer, i: number): number {
  const b0 = buf[i]!;
  if (b0 < 0x80) return 1;
  const cont = (j: number, lo = 0x80, hi = 0xbf) => i + j < buf.length && buf[i + j]! >= lo && buf[i + j]! <= hi;
  if (b0 >= 0xc2 && b0 <= 0xdf) return cont(1) ? 2 : 0;
  if (b0 === 0xe0) return cont(1, 0xa0) && cont(2) ? 3 : 0;
  if ((b0 >= 0xe1 && b0 <= 0xec) || b0 === 0xee || b0 === 0xef) return cont(1) && cont(2) ? 3 : 0;
  if (b0 === 0xed) return cont(1, 0x80, 0x9f) && cont(2) ? 3 : 0;
  if (b0 === 0xf0) return cont(1, 0x90) && cont(2) && cont(3) ? 4 : 0;
  if (b0 >= 0xf1 && b0 <= 0xf3) return cont(1) && cont(2) && cont(3) ? 4 : 0;
  if (b0 === 0xf4) return cont(1, 0x80, 0x8f) && cont(2) && cont(3) ? 4 : 0;
  return 0;
}
