import { crc32 } from './crc32.js';

/**
 * The journal's line layout, in one place (as LevelDB keeps its log format in log_format.h).
 *
 * Every line is a JSON object `{"c":"<crc32 hex, 8 digits>","r":<record JSON>}` followed by `\n`. The checksum
 * covers the exact bytes of `<record JSON>`, so a reader verifies a line without re-serialising anything: the
 * prefix is always 20 bytes and the suffix always `}`. A person can still read (and `jq`) every line.
 *
 * The first line is the header `{"journal":"esc-kv","version":1,"generation":G}`: the journal only extends the
 * snapshot of generation G. Every later line is one change, already resolved to its effect (an `incr` is
 * journalled as the `set` it produced), with absolute expiry times in Unix milliseconds, so replay is exact.
 */
export const JOURNAL_FORMAT = 'esc-kv';
export const JOURNAL_VERSION = 1;

export interface JournalHeader {
  journal: typeof JOURNAL_FORMAT;
  version: typeof JOURNAL_VERSION;
  generation: number;
}

/** A change to one key: set it (value and absolute expiry, null for none) or delete it. */
export type KeyRecord = { op: 'set'; k: string; v: string; x: number | null } | { op: 'del'; k: string };

/**
 * One change: a key's, every key deleted, or the key changes of one command (MSET, a DEL of several keys)
 * applied together, in order: one line, so a crash keeps all of them or none.
 */
export type JournalRecord = KeyRecord | { op: 'clear' } | { op: 'batch'; ops: KeyRecord[] };

const PREFIX_LEN = '{"c":"00000000","r":'.length;

export function encodeLine(record: JournalRecord | JournalHeader): string {
  const body = 'op' in record ? recordJson(record) : JSON.stringify(record);
  return `{"c":"${checksumHex(body)}","r":${body}}\n`;
}

/** The record's JSON, byte for byte what JSON.stringify makes of it (same key order; a property test holds them equal). */
function recordJson(record: JournalRecord): string {
  // Sets are most of what a server writes: built by hand at a third of JSON.stringify's cost.
  switch (record.op) {
    case 'set':
      return `{"op":"set","k":${JSON.stringify(record.k)},"v":${JSON.stringify(record.v)},"x":${record.x === null ? 'null' : record.x}}`;
    case 'batch': {
      let json = '{"op":"batch","ops":[';
      for (let i = 0; i < record.ops.length; i++) json += (i === 0 ? '' : ',') + recordJson(record.ops[i]!);
      return `${json}]}`;
    }
    default:
      return JSON.stringify(record);
  }
}

/** CRC-32 (zlib's) as 8 lowercase hex digits: the checksum of journal lines and of the snapshot and its lines. */
export function checksumHex(bytes: string | Uint8Array): string {
  const c = crc32(bytes);
  return HEX[c >>> 24]! + HEX[(c >>> 16) & 0xff]! + HEX[(c >>> 8) & 0xff]! + HEX[c & 0xff]!;
}

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

/**
 * The record of the line `buf[start, end)` (without its `\n`) if its framing and checksum hold, else null.
 * The caller decides whether a bad line is a torn tail or corruption: that depends on where it is. The
 * checksum is computed on the bytes in place (the journal is read on every `esc kv` start).
 */
export function decodeLineAt(buf: Buffer, start: number, end: number): unknown {
  if (!verifyLineAt(buf, start, end)) return null;
  try {
    return JSON.parse(buf.toString('utf8', start + PREFIX_LEN, end - 1));
  } catch {
    return null;
  }
}

/**
 * What is wrong with a line that decodeLineAt refused, for the error message: its framing, its checksum (with
 * both values), or, rarest, a record that is not JSON although its checksum holds.
 */
export function describeBadLineAt(buf: Buffer, start: number, end: number): string {
  const bodyEnd = end - 1;
  const framed =
    end - start >= PREFIX_LEN + 2 &&
    buf[bodyEnd] === 0x7d &&
    bytesAt(buf, start, HEAD) &&
    bytesAt(buf, start + 14, MIDDLE) &&
    hexAt(buf, start + HEAD.length) !== -1;
  if (!framed) return 'not a journal line ({"c":"<crc32>","r":<record>})';
  const stored = buf.toString('latin1', start + HEAD.length, start + HEAD.length + 8);
  const computed = checksumHex(buf.subarray(start + PREFIX_LEN, bodyEnd));
  return stored === computed
    ? 'the checksum holds but the record is not JSON'
    : `checksum mismatch (stored ${stored}, computed ${computed})`;
}

/** Whether the line `buf[start, end)` has the framing and a matching checksum (the record is not parsed). */
export function verifyLineAt(buf: Buffer, start: number, end: number): boolean {
  // Byte comparisons only: this runs once per journal line at every start-up, before the JIT has warmed up.
  const bodyEnd = end - 1;
  if (end - start < PREFIX_LEN + 2 || buf[bodyEnd] !== 0x7d) return false;
  if (!bytesAt(buf, start, HEAD) || !bytesAt(buf, start + 14, MIDDLE)) return false;
  const stored = hexAt(buf, start + HEAD.length);
  return stored !== -1 && crc32(buf.subarray(start + PREFIX_LEN, bodyEnd)) === stored;
}

const HEAD = Buffer.from('{"c":"');
const MIDDLE = Buffer.from('","r":');

// A JS loop beats a native Buffer.compare call for 6 bytes in code that has not warmed up.
function bytesAt(buf: Buffer, at: number, expected: Buffer): boolean {
  for (let i = 0; i < expected.length; i++) if (buf[at + i] !== expected[i]) return false;
  return true;
}

/** The 8 lowercase hex digits at `at` as a number, or -1. */
function hexAt(buf: Buffer, at: number): number {
  let v = 0;
  for (let i = at; i < at + 8; i++) {
    const c = buf[i]!;
    const d = c >= 0x30 && c <= 0x39 ? c - 0x30 : c >= 0x61 && c <= 0x66 ? c - 0x57 : -1;
    if (d === -1) return -1;
    v = v * 16 + d;
  }
  return v;
}

// Lean predicates with exactly the rules of the zod schemas in kv-schemas.ts (a property test holds them equal).

function keyCount(v: object): number {
  let n = 0;
  for (const _ in v) n++;
  return n;
}

const isCount = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;

export function isJournalHeader(v: unknown): v is JournalHeader {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return false;
  const o = v as Record<string, unknown>;
  return o.journal === JOURNAL_FORMAT && o.version === JOURNAL_VERSION && isCount(o.generation) && keyCount(o) === 3;
}

export function isJournalRecord(v: unknown): v is JournalRecord {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return false;
  const o = v as Record<string, unknown>;
  switch (o.op) {
    case 'clear':
      return keyCount(o) === 1;
    case 'batch':
      return Array.isArray(o.ops) && o.ops.length > 0 && o.ops.every(isKeyRecord) && keyCount(o) === 2;
    default:
      return isKeyRecord(v);
  }
}

function isKeyRecord(v: unknown): v is KeyRecord {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return false;
  const o = v as Record<string, unknown>;
  switch (o.op) {
    case 'set':
      return typeof o.k === 'string' && typeof o.v === 'string' && (o.x === null || isCount(o.x)) && keyCount(o) === 4;
    case 'del':
      return typeof o.k === 'string' && keyCount(o) === 2;
    default:
      return false;
  }
}
