/**
 * The snapshot's layout, in one place (docs/formats/kv-snapshot.md is the full description): one versioned JSON
 * document holding every live key, written whole and atomically at compaction, one entry per line so a person
 * can read and diff it. Version 3:
 *
 *     {"format":"esc-kv-snapshot","version":3,"generation":3,"createdAt":"2026-11-22T04:30:00.000Z","keys":2,"bytes":291,"c":"5e0c6a1f"},
 *     "entries":{
 *     "greeting":{"value":"hello","c":"0b1c2d3e"},
 *     "session:1":{"value":"abc","expiresAt":1795000000000,"c":"4f5a6b7c"}
 *     },
 *     "crc32":"1a2b3c4d"}
 *
 * Entry lines are sorted by key (JavaScript string order, UTF-16 code units) and every header and entry line
 * ends with its own checksum `"c"`, the CRC-32 of the line's bytes before `"c":"`. So one key is found by a
 * binary search over byte offsets (snapshot-search.ts): read a small window, skip to the next line start,
 * check that line's checksum, compare its key. `bytes` is the file's size, so a point read that never reaches
 * the end still notices a file cut short. `crc32` covers every byte before the line that holds it: full reads
 * (compaction, listing, stats, verify) check it. Version 2 (still read) is the same without `bytes` and with
 * entries in any order; version 1 is version 2 without the per-line `"c"`. Keys and values are written with
 * JSON.stringify, which never emits a raw newline, so every entry line starts with `"<key>":`.
 */
import { checksumHex } from './journal-format.js';

export const SNAPSHOT_FORMAT = 'esc-kv-snapshot';
/** The version written. */
export const SNAPSHOT_VERSION = 3;
/** The versions read. */
export const SNAPSHOT_VERSIONS = [1, 2, 3] as const;
type SnapshotVersion = (typeof SNAPSHOT_VERSIONS)[number];

export interface SnapshotHeader {
  format: typeof SNAPSHOT_FORMAT;
  version: SnapshotVersion;
  generation: number;
  createdAt: string;
  keys: number;
  /** The file's size in bytes (version 3 on). */
  bytes?: number;
  /**
   * Written by a compaction that kept appending while the snapshot was written: the snapshot holds the lines of
   * the journal of this generation up to this byte offset, and a journal of that generation continues from it.
   */
  journalFrom?: JournalPosition;
}

/** A byte offset in the journal of one generation. */
export interface JournalPosition {
  generation: number;
  offset: number;
}

/** `"c":"xxxxxxxx"`: a line's own checksum, always the last member of the line's object. */
export const LINE_CHECKSUM_OPEN = '"c":"';
const LINE_CHECKSUM_LEN = '"c":"00000000"'.length;
/** What follows the header line's checksum: the opening of the entries object on line 2. */
export const ENTRIES_OPEN = '\n"entries":{';
/** `"crc32":"xxxxxxxx"}\n`: a fixed-length trailer, so the covered bytes are found without parsing. */
export const SNAPSHOT_TRAILER_LEN = '"crc32":"00000000"}\n'.length;
/** The line that closes the entries (`},`) and the trailer: the fixed tail of a non-empty snapshot. */
export const ENTRIES_CLOSE = '\n},\n';

/** The order of entry lines (version 3): JavaScript's string order, by UTF-16 code units. */
export function compareKeys(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * What is wrong with a line that should end with `"c":"<crc32 of the bytes before it>"` and `closing`
 * (`,` for the header, `}` or `},` for an entry); null if nothing.
 */
export function lineChecksumProblem(line: Buffer, closing: string): string | null {
  const at = line.length - closing.length - LINE_CHECKSUM_LEN;
  const member = at < 0 ? '' : line.toString('latin1', at, at + LINE_CHECKSUM_LEN);
  if (!/^"c":"[0-9a-f]{8}"$/.test(member) || line.toString('latin1', at + LINE_CHECKSUM_LEN) !== closing) {
    return `does not end with its line checksum ("c":"<8 hex digits>"${closing})`;
  }
  const stored = member.slice(5, 13);
  const computed = checksumHex(line.subarray(0, at));
  return stored === computed ? null : `fails its own checksum (stored ${stored}, computed ${computed})`;
}

// Lean predicates with exactly the rules of the zod schemas in kv-schemas.ts (a property test holds them equal).

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isCount = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;

export function isSnapshotHeader(v: unknown): v is SnapshotHeader {
  return (
    isObject(v) &&
    v.format === SNAPSHOT_FORMAT &&
    (v.version === 1 || v.version === 2 || v.version === 3) &&
    isCount(v.generation) &&
    typeof v.createdAt === 'string' &&
    isCount(v.keys) &&
    (v.version === 3 ? isCount(v.bytes) : v.bytes === undefined || isCount(v.bytes)) &&
    (v.journalFrom === undefined || isJournalPosition(v.journalFrom))
  );
}

function isJournalPosition(v: unknown): v is JournalPosition {
  if (!isObject(v) || !isCount(v.generation) || !isCount(v.offset)) return false;
  let n = 0;
  for (const _ in v) n++;
  return n === 2;
}

/** An entry of a version 1 snapshot; in version 2 the same plus its line checksum `c` (see isSnapshotEntryV2). */
export function isSnapshotEntry(v: unknown): v is { value: string; expiresAt?: number } {
  return isEntryWith(v, false);
}

export function isSnapshotEntryV2(v: unknown): v is { value: string; expiresAt?: number; c: string } {
  return isEntryWith(v, true);
}

const isChecksumHex = (v: unknown): boolean => typeof v === 'string' && /^[0-9a-f]{8}$/.test(v);

function isEntryWith(v: unknown, lineChecksum: boolean): boolean {
  if (!isObject(v) || typeof v.value !== 'string') return false;
  let n = 0;
  for (const k in v) {
    n++;
    if (k !== 'value' && k !== 'expiresAt' && !(lineChecksum && k === 'c')) return false;
  }
  if (lineChecksum) {
    if (!isChecksumHex(v.c)) return false;
    n--;
  }
  return v.expiresAt === undefined ? n === 1 : isCount(v.expiresAt) && n === 2;
}
