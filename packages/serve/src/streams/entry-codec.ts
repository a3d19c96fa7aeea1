import { isUtf8 } from 'node:buffer';
import type { LogRecord } from '@esc/streams';
import type { ByteSlab } from './byte-slab.js';
import { formatId, type StreamId } from './stream-id.js';

/**
 * How a stream entry is stored as a topic record (docs/streams.md, "Redis Streams"): the value is the JSON array
 * of its fields and values in order, `["sensor","7","temp","21.5"]` (what `esc consume` prints), with any
 * element that is not UTF-8 written `{"b64":"…"}`; the entry ID is the header `redis-id` (`1700000000000-0`);
 * the record's timestamp is the ID's ms. A record without that header (one `esc produce` wrote) reads as the
 * fields `key` (when it has one) and `value`.
 */
export const ID_HEADER = 'redis-id';

export type Fields = readonly Buffer[];

/** The stored value of an entry's fields (see above), written into `out`. */
export function encodeFields(fields: Fields, out: ByteSlab): Buffer {
  let size = 2;
  for (let i = 0; i < fields.length; i++) {
    const f = fields[i]!;
    if (!isPlainAscii(f)) return out.text(fieldsJson(fields));
    size += f.length + 3;
  }
  // Every field is its own bytes between quotes: copied in place, no string made.
  const slab = out.reserve(size);
  let at = out.start;
  slab[at++] = 0x5b;
  for (let i = 0; i < fields.length; i++) {
    const f = fields[i]!;
    if (i > 0) slab[at++] = 0x2c;
    slab[at++] = 0x22;
    if (f.length <= 32) for (let j = 0; j < f.length; j++) slab[at++] = f[j]!;
    else {
      slab.set(f, at);
      at += f.length;
    }
    slab[at++] = 0x22;
  }
  slab[at++] = 0x5d;
  return out.commit(at);
}

/** The same value as text, for fields that need escaping or base64. */
function fieldsJson(fields: Fields): string {
  let out = '[';
  for (let i = 0; i < fields.length; i++) {
    const f = fields[i]!;
    if (i > 0) out += ',';
    if (isPlainAscii(f)) out += `"${f.toString('latin1')}"`;
    else out += isUtf8(f) ? JSON.stringify(f.toString('utf8')) : `{"b64":"${f.toString('base64')}"}`;
  }
  return `${out}]`;
}

/**
 * Printable ASCII without `"` or `\`: JSON.stringify would quote it as it is, so it is copied as it is (the
 * same bytes, without the UTF-8 check, the decode and the escape scan: most fields are short words and numbers).
 */
function isPlainAscii(f: Buffer): boolean {
  for (let i = 0; i < f.length; i++) {
    const b = f[i]!;
    if (b < 0x20 || b > 0x7e || b === 0x22 || b === 0x5c) return false;
  }
  return true;
}

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);
/** The digits of the ms encodeId wrote last. */
let lastMs = -1;
let lastMsLength = 0;
const lastMsDigits = Buffer.alloc(16);

/** The `redis-id` header's value (`<ms>-<seq>`, ASCII), written into `out`; digits without a string when they fit. */
export function encodeId(id: StreamId, out: ByteSlab): Buffer {
  if (id.ms > MAX_SAFE || id.seq > MAX_SAFE) return out.text(formatId(id));
  const ms = Number(id.ms);
  // IDs come in runs of one ms (every XADD of that millisecond): its digits are made once per run.
  if (ms !== lastMs) {
    lastMsLength = writeDigits(lastMsDigits, 0, ms);
    lastMs = ms;
  }
  const slab = out.reserve(33);
  let at = out.start;
  for (let i = 0; i < lastMsLength; i++) slab[at++] = lastMsDigits[i]!;
  slab[at++] = 0x2d;
  at = writeDigits(slab, at, Number(id.seq));
  return out.commit(at);
}

/** The decimal digits of a safe non-negative integer at `at`; returns the position past them. */
function writeDigits(slab: Buffer, at: number, n: number): number {
  let digits = 1;
  for (let m = n; m >= 10; m = Math.floor(m / 10)) digits++;
  for (let i = at + digits - 1; i > at; i--) {
    const q = Math.floor(n / 10);
    slab[i] = 0x30 + (n - q * 10);
    n = q;
  }
  slab[at] = 0x30 + n;
  return at + digits;
}

/** The fields of a stored record (see above); a value that is not such an array reads as a produced record's. */
export function decodeFields(record: LogRecord): Fields {
  if (record.value !== null && recordId(record) !== null) {
    try {
      const parsed = JSON.parse(record.value.toString('utf8')) as unknown;
      if (Array.isArray(parsed))
        return parsed.map((e) =>
          typeof e === 'string' ? Buffer.from(e, 'utf8') : Buffer.from(String((e as { b64: string }).b64), 'base64'),
        );
    } catch {
      /* not ours after all: shown as a produced record */
    }
  }
  const out: Buffer[] = [];
  if (record.key !== null) out.push(Buffer.from('key'), record.key);
  out.push(Buffer.from('value'), record.value ?? Buffer.alloc(0));
  return out;
}

/** The `redis-id` header's text, or null for a record written by something else. */
export function recordId(record: LogRecord): string | null {
  for (const h of record.headers) if (h.key === ID_HEADER && h.value !== null) return h.value.toString('latin1');
  return null;
}

/**
 * The ID of a record without a `redis-id` header: `<timestamp>-<offset>`, raised where needed to stay above the
 * previous entry's ID (timestamps of produced records may go backwards; offsets only go up).
 */
export function derivedId(previous: StreamId, timestamp: number, offset: number): StreamId {
  const ts = BigInt(timestamp);
  const off = BigInt(offset);
  if (ts > previous.ms) return { ms: ts, seq: off };
  return { ms: previous.ms, seq: off > previous.seq ? off : previous.seq + 1n };
}
