/**
 * The snapshot's layout, in one place: one versioned JSON document holding every live key, written whole and
 * atomically at compaction, one entry per line so a person can read and diff it. Version 2:
 *
 *     {"format":"esc-kv-snapshot","version":2,"generation":3,"createdAt":"2026-11-22T04:30:00.000Z","keys":2,"c":"5e0c6a1f",
 *     "entries":{
 *     "greeting":{"value":"hello","c":"0b1c2d3e"},
 *     "session:1":{"value":"abc","expiresAt":1795000000000,"c":"4f5a6b7c"}
 *     },
 *     "crc32":"1a2b3c4d"}
 *
 * `crc32` covers every byte before the line that holds it, so a flipped byte anywhere (even one that leaves
 * valid JSON, such as a digit in a value) is caught with one checksum over the file: the only check a read
 * makes. Each header and entry line also ends with its own `"c"`, the CRC-32 of the line's bytes before
 * `"c":"`; it is read only when the whole-file checksum fails, to name the damaged line (snapshot-damage.ts).
 * Version 1 (still read) is the same without the per-line `"c"`. `generation` ties the journal to this
 * snapshot. Keys and values are written with JSON.stringify, which never emits a raw newline, so every entry
 * line starts with `\n"<key>":` and one key can be found with a byte search instead of parsing the document.
 */
export const SNAPSHOT_FORMAT = 'esc-kv-snapshot';
/** The version written. */
export const SNAPSHOT_VERSION = 2;
/** The versions read. */
export const SNAPSHOT_VERSIONS = [1, 2] as const;
export type SnapshotVersion = (typeof SNAPSHOT_VERSIONS)[number];

export interface SnapshotHeader {
  format: typeof SNAPSHOT_FORMAT;
  version: SnapshotVersion;
  generation: number;
  createdAt: string;
  keys: number;
}

/** `"c":"xxxxxxxx"`: a line's own checksum, always the last member of the line's object. */
export const LINE_CHECKSUM_OPEN = '"c":"';
export const LINE_CHECKSUM_LEN = '"c":"00000000"'.length;

// Lean predicates with exactly the rules of the zod schemas in kv-schemas.ts (a property test holds them equal).

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
export const isCount = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;

export function isSnapshotHeader(v: unknown): v is SnapshotHeader {
  return (
    isObject(v) &&
    v.format === SNAPSHOT_FORMAT &&
    (v.version === 1 || v.version === 2) &&
    isCount(v.generation) &&
    typeof v.createdAt === 'string' &&
    isCount(v.keys)
  );
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
