import { closeSync, fstatSync, openSync, readFileSync } from 'node:fs';
import { CorruptionError, FileAccessError, isErrno, writeFileAtomicSync } from '@esc/core';
import { checksumHex } from './journal-format.js';
import type { KvEntry } from './kv-entry.js';
import { SchemaMismatchError } from './schema-mismatch-error.js';
import { snapshotDamageError } from './snapshot-damage.js';
import {
  isSnapshotEntry,
  isSnapshotEntryV2,
  isSnapshotHeader,
  LINE_CHECKSUM_OPEN,
  SNAPSHOT_FORMAT,
  SNAPSHOT_VERSION,
  type SnapshotHeader,
} from './snapshot-format.js';

// `"crc32":"xxxxxxxx"}\n`: a fixed-length trailer, so the covered bytes are found without parsing.
const TRAILER_LEN = '"crc32":"00000000"}\n'.length;
const ENTRIES_OPEN = '\n"entries":{';

export function renderSnapshot(
  generation: number,
  entries: Iterable<[string, KvEntry]>,
  count: number,
  createdAt = new Date(),
): string {
  const header = `{"format":"${SNAPSHOT_FORMAT}","version":${SNAPSHOT_VERSION},"generation":${generation},"createdAt":"${createdAt.toISOString()}","keys":${count},`;
  const parts: string[] = [`${withLineChecksum(header)},${ENTRIES_OPEN}`];
  let first = true;
  for (const [key, entry] of entries) {
    parts.push(`${first ? '\n' : ',\n'}${withLineChecksum(`${JSON.stringify(key)}:${renderEntryOpen(entry)},`)}}`);
    first = false;
  }
  parts.push(first ? '},\n' : '\n},\n');
  const covered = parts.join('');
  return `${covered}"crc32":"${checksumHex(covered)}"}\n`;
}

/** `text` (a line up to its last member) followed by that member, `"c":"<crc32 of text>"`. */
function withLineChecksum(text: string): string {
  return `${text}${LINE_CHECKSUM_OPEN}${checksumHex(text)}"`;
}

/** The entry's object without its closing brace: the line checksum is its last member. */
function renderEntryOpen(entry: KvEntry): string {
  return entry.expiresAt === null
    ? `{"value":${JSON.stringify(entry.value)}`
    : `{"value":${JSON.stringify(entry.value)},"expiresAt":${entry.expiresAt}`;
}

/** Writes the snapshot atomically (temp file, fsync, rename, fsync directory). Returns its size in bytes. */
export function writeSnapshot(
  path: string,
  generation: number,
  entries: Iterable<[string, KvEntry]>,
  count: number,
): number {
  const buf = Buffer.from(renderSnapshot(generation, entries, count), 'utf8');
  try {
    writeFileAtomicSync(path, buf);
  } catch (err) {
    throw new FileAccessError(path, err);
  }
  return buf.length;
}

/**
 * A snapshot read into memory, its checksum and header verified. One key is found by a byte search for its
 * line (a CLI `get` on 100k keys must not pay for parsing them all); `entries()` parses and checks every entry.
 */
export class SnapshotFile {
  private constructor(
    readonly path: string,
    private readonly buf: Buffer,
    readonly header: SnapshotHeader,
    /** Inode of the file read (through one descriptor, so it names exactly these bytes). */
    readonly ino: number,
    /** Where the entry lines start and where the checksum trailer starts: a key is searched only between. */
    private readonly entriesStart: number,
    private readonly entriesEnd: number,
  ) {}

  get bytes(): number {
    return this.buf.length;
  }

  /** Reads and checks a snapshot; null if there is none yet. Anything wrong is a CorruptionError naming the file and line. */
  static read(path: string): SnapshotFile | null {
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
    return SnapshotFile.parse(buf, path, ino);
  }

  static parse(buf: Buffer, path: string, ino = 0): SnapshotFile {
    const trailerAt = buf.length - TRAILER_LEN;
    const trailer = trailerAt >= 0 ? buf.toString('latin1', trailerAt) : '';
    const checksumHolds =
      /^"crc32":"[0-9a-f]{8}"\}\n$/.test(trailer) && checksumHex(buf.subarray(0, trailerAt)) === trailer.slice(9, 17);
    // Only a damaged file pays for finding the damaged line.
    if (!checksumHolds) throw snapshotDamageError(buf, path);
    // The checksum holds, so the bytes are what an esc writer produced; still check the structure we rely on.
    const open = buf.indexOf(ENTRIES_OPEN);
    let header: unknown;
    try {
      header = open === -1 ? null : JSON.parse(`${buf.toString('utf8', 0, open)}"entries":{}}`);
    } catch {
      header = null;
    }
    if (!isSnapshotHeader(header))
      throw new SchemaMismatchError('snapshot header invalid', header, 'snapshotHeader', { path, line: 1 });
    return new SnapshotFile(path, buf, header, ino, open + ENTRIES_OPEN.length - 1, trailerAt);
  }

  /** The entry of `key`, found by its line; undefined if the snapshot does not hold it. */
  lookup(key: string): KvEntry | undefined {
    const needle = Buffer.from(`\n${JSON.stringify(key)}:`, 'utf8');
    const at = this.buf.indexOf(needle, this.entriesStart);
    if (at === -1 || at >= this.entriesEnd) return undefined;
    const start = at + needle.length;
    let end = this.buf.indexOf(10, start);
    if (this.buf[end - 1] === 0x2c) end--; // the comma between entries
    let raw: unknown;
    try {
      raw = JSON.parse(this.buf.toString('utf8', start, end));
    } catch {
      raw = undefined;
    }
    return this.checkEntry(key, raw, () => lineOf(this.buf, at + 1));
  }

  /** Every entry, parsed and checked. */
  entries(): Map<string, KvEntry> {
    let doc: { entries?: Record<string, unknown> };
    try {
      doc = JSON.parse(this.buf.toString('utf8'));
    } catch (err) {
      throw new CorruptionError(`snapshot is not valid JSON: ${(err as Error).message}`, { path: this.path });
    }
    const raw = doc.entries;
    if (typeof raw !== 'object' || raw === null)
      throw new CorruptionError('snapshot has no entries object', { path: this.path, line: 2 });
    const map = new Map<string, KvEntry>();
    for (const key in raw)
      map.set(
        key,
        this.checkEntry(key, raw[key], () =>
          lineOf(this.buf, this.buf.indexOf(Buffer.from(`\n${JSON.stringify(key)}:`)) + 1),
        ),
      );
    if (map.size !== this.header.keys) {
      throw new CorruptionError(`snapshot says ${this.header.keys} keys but holds ${map.size}`, { path: this.path });
    }
    return map;
  }

  private checkEntry(key: string, raw: unknown, line: () => number): KvEntry {
    const v1 = this.header.version === 1;
    const isEntry: (v: unknown) => v is { value: string; expiresAt?: number } = v1
      ? isSnapshotEntry
      : isSnapshotEntryV2;
    if (!isEntry(raw))
      throw new SchemaMismatchError(
        `snapshot entry ${JSON.stringify(key)} invalid`,
        raw,
        v1 ? 'snapshotEntry' : 'snapshotEntryV2',
        { path: this.path, line: line() },
      );
    return { value: raw.value, expiresAt: raw.expiresAt ?? null };
  }
}

function lineOf(buf: Buffer, offset: number): number {
  let n = 1;
  for (let i = buf.indexOf(10); i !== -1 && i < offset; i = buf.indexOf(10, i + 1)) n++;
  return n;
}
