import { closeSync, fstatSync, openSync, readFileSync } from 'node:fs';
import { crc32 } from 'node:zlib';
import { z } from 'zod';
import { CorruptionError, FileAccessError, isErrno, writeFileAtomicSync } from '@esc/core';
import type { KvEntry } from './kv-entry.js';

/**
 * The snapshot: one versioned JSON document holding every live key, written whole and atomically at
 * compaction. Layout (one entry per line, so a person can read and diff it):
 *
 *     {"format":"esc-kv-snapshot","version":1,"generation":3,"createdAt":"2026-11-22T04:30:00.000Z","keys":2,
 *     "entries":{
 *     "greeting":{"value":"hello"},
 *     "session:1":{"value":"abc","expiresAt":1795000000000}
 *     },
 *     "crc32":"1a2b3c4d"}
 *
 * `crc32` covers every byte before the line that holds it, so a flipped byte anywhere (even one that leaves
 * valid JSON, such as a digit in a value) is caught. `generation` ties the journal to this snapshot.
 */
export const SNAPSHOT_FORMAT = 'esc-kv-snapshot';
export const SNAPSHOT_VERSION = 1;

export interface Snapshot {
  generation: number;
  createdAt: string;
  entries: Map<string, KvEntry>;
  /** Size of the file in bytes. */
  bytes: number;
  /** Inode of the file read (read through one descriptor, so it names exactly the bytes parsed). */
  ino: number;
}

const headerSchema = z.object({
  format: z.literal(SNAPSHOT_FORMAT),
  version: z.literal(SNAPSHOT_VERSION),
  generation: z.number().int().nonnegative(),
  createdAt: z.string(),
  keys: z.number().int().nonnegative(),
  entries: z.record(z.string(), z.unknown()),
  crc32: z.string().regex(/^[0-9a-f]{8}$/),
});

/** The schema every entry must match; checked with a lean loop on the hot path and by zod for the message. */
export const snapshotEntrySchema = z.strictObject({
  value: z.string(),
  expiresAt: z.number().int().nonnegative().optional(),
});

// `"crc32":"xxxxxxxx"}\n`: a fixed-length trailer, so the covered bytes are found without parsing.
const TRAILER_LEN = '"crc32":"00000000"}\n'.length;

export function renderSnapshot(generation: number, entries: Iterable<[string, KvEntry]>, count: number, createdAt = new Date()): string {
  const parts: string[] = [
    `{"format":"${SNAPSHOT_FORMAT}","version":${SNAPSHOT_VERSION},"generation":${generation},"createdAt":"${createdAt.toISOString()}","keys":${count},\n"entries":{`,
  ];
  let first = true;
  for (const [key, entry] of entries) {
    const value = entry.expiresAt === null ? `{"value":${JSON.stringify(entry.value)}}` : `{"value":${JSON.stringify(entry.value)},"expiresAt":${entry.expiresAt}}`;
    parts.push(`${first ? '\n' : ',\n'}${JSON.stringify(key)}:${value}`);
    first = false;
  }
  parts.push(first ? '},\n' : '\n},\n');
  const covered = parts.join('');
  return `${covered}"crc32":"${crc32(covered).toString(16).padStart(8, '0')}"}\n`;
}

/** Writes the snapshot atomically (temp file, fsync, rename, fsync directory). Returns its size in bytes. */
export function writeSnapshot(path: string, generation: number, entries: Iterable<[string, KvEntry]>, count: number): number {
  const text = renderSnapshot(generation, entries, count);
  const buf = Buffer.from(text, 'utf8');
  try {
    writeFileAtomicSync(path, buf);
  } catch (err) {
    throw new FileAccessError(path, err);
  }
  return buf.length;
}

/** Reads and checks a snapshot; null if there is none yet. Anything wrong is a CorruptionError naming the file. */
export function readSnapshot(path: string): Snapshot | null {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (err) {
    if (isErrno(err, 'ENOENT')) return null;
    throw new FileAccessError(path, err);
  }
  let buf: Buffer;
  let ino: number;
  try {
    ino = fstatSync(fd).ino;
    buf = readFileSync(fd);
  } catch (err) {
    throw new FileAccessError(path, err);
  } finally {
    closeSync(fd);
  }
  return { ...parseSnapshot(buf, path), ino };
}

export function parseSnapshot(buf: Buffer, path: string): Omit<Snapshot, 'ino'> {
  const trailerAt = buf.length - TRAILER_LEN;
  const trailer = trailerAt >= 0 ? buf.toString('latin1', trailerAt) : '';
  const lineCount = () => countLines(buf);
  if (!/^"crc32":"[0-9a-f]{8}"\}\n$/.test(trailer)) {
    throw new CorruptionError('not an esc kv snapshot, or cut short (no checksum trailer); refusing to touch it', { path, line: lineCount() });
  }
  const expected = trailer.slice(9, 17);
  const actual = crc32(buf.subarray(0, trailerAt)).toString(16).padStart(8, '0');
  if (actual !== expected) {
    throw new CorruptionError(`snapshot checksum mismatch (stored ${expected}, computed ${actual}): the file is damaged; refusing to touch it`, { path });
  }
  let raw: unknown;
  try {
    raw = JSON.parse(buf.toString('utf8'));
  } catch (err) {
    throw new CorruptionError(`snapshot is not valid JSON: ${(err as Error).message}`, { path });
  }
  const header = headerSchema.safeParse(raw);
  if (!header.success) {
    const issue = header.error.issues[0];
    throw new CorruptionError(`snapshot header invalid at ${issue?.path.join('.') || 'top level'}: ${issue?.message}`, { path, line: 1 });
  }
  const entries = new Map<string, KvEntry>();
  const rawEntries = header.data.entries as Record<string, { value?: unknown; expiresAt?: unknown }>;
  let line = 2;
  for (const key in rawEntries) {
    line++;
    const e = rawEntries[key]!;
    // Lean check first: zod on 100k entries would dominate `esc kv get`; zod only words the error.
    if (
      typeof e !== 'object' || e === null || typeof e.value !== 'string' ||
      !(e.expiresAt === undefined || (Number.isSafeInteger(e.expiresAt) && (e.expiresAt as number) >= 0)) ||
      Object.keys(e).length !== (e.expiresAt === undefined ? 1 : 2)
    ) {
      const issue = snapshotEntrySchema.safeParse(e).error?.issues[0];
      throw new CorruptionError(`snapshot entry ${JSON.stringify(key)} invalid: ${issue?.message ?? 'bad shape'}`, { path, line });
    }
    entries.set(key, { value: e.value, expiresAt: (e.expiresAt as number | undefined) ?? null });
  }
  if (entries.size !== header.data.keys) {
    throw new CorruptionError(`snapshot says ${header.data.keys} keys but holds ${entries.size}`, { path });
  }
  return { generation: header.data.generation, createdAt: header.data.createdAt, entries, bytes: buf.length };
}

function countLines(buf: Buffer): number {
  let n = 1;
  for (let i = buf.indexOf(10); i !== -1 && i < buf.length - 1; i = buf.indexOf(10, i + 1)) n++;
  return n;
}
