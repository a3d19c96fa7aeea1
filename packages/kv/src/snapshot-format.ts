/**
 * The snapshot's layout, in one place: one versioned JSON document holding every live key, written whole and
 * atomically at compaction, one entry per line so a person can read and diff it:
 *
 *     {"format":"esc-kv-snapshot","version":1,"generation":3,"createdAt":"2026-11-22T04:30:00.000Z","keys":2,
 *     "entries":{
 *     "greeting":{"value":"hello"},
 *     "session:1":{"value":"abc","expiresAt":1795000000000}
 *     },
 *     "crc32":"1a2b3c4d"}
 *
 * `crc32` covers every byte before the line that holds it, so a flipped byte anywhere (even one that leaves
 * valid JSON, such as a digit in a value) is caught. `generation` ties the journal to this snapshot. Keys and
 * values are written with JSON.stringify, which never emits a raw newline, so every entry line starts with
 * `\n"<key>":` and one key can be found with a byte search instead of parsing the whole document.
 */
export const SNAPSHOT_FORMAT = 'esc-kv-snapshot';
export const SNAPSHOT_VERSION = 1;

export interface SnapshotHeader {
  format: typeof SNAPSHOT_FORMAT;
  version: typeof SNAPSHOT_VERSION;
  generation: number;
  createdAt: string;
  keys: number;
}

// Lean predicates with exactly the rules of the zod schemas in kv-schemas.ts (a property test holds them equal).

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
export const isCount = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;

export function isSnapshotHeader(v: unknown): v is SnapshotHeader {
  return isObject(v) && v.format === SNAPSHOT_FORMAT && v.version === SNAPSHOT_VERSION && isCount(v.generation) && typeof v.createdAt === 'string' && isCount(v.keys);
}

export function isSnapshotEntry(v: unknown): v is { value: string; expiresAt?: number } {
  if (!isObject(v) || typeof v.value !== 'string') return false;
  let n = 0;
  for (const k in v) {
    n++;
    if (k !== 'value' && k !== 'expiresAt') return false;
  }
  return v.expiresAt === undefined ? n === 1 : isCount(v.expiresAt) && n === 2;
}
