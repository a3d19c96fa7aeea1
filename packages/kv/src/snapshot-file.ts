import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { CorruptionError, FileAccessError, isErrno } from '@esc/core';
import { checksumHex } from './journal-format.js';
import type { KvEntry } from './kv-entry.js';
import { SchemaMismatchError } from './schema-mismatch-error.js';
import { snapshotDamageError } from './snapshot-damage.js';
import {
  compareKeys,
  ENTRIES_CLOSE,
  ENTRIES_OPEN,
  isSnapshotEntry,
  isSnapshotEntryV2,
  isSnapshotHeader,
  lineChecksumProblem,
  SNAPSHOT_TRAILER_LEN,
  type SnapshotHeader,
} from './snapshot-format.js';
import { PositionalReader, searchSortedLines, type ProbedLine } from './snapshot-search.js';

/** A header line is about 160 bytes; this bounds what a damaged file can make us read for it. */
const HEADER_WINDOW = 4096;
const VERSION_AT_START = /^\{"format":"esc-kv-snapshot","version":(\d+),/;

/**
 * An open snapshot, read through one descriptor (so every read sees the same inode, whatever renames happen).
 *
 * A version 3 snapshot is sorted by key: opening it reads and checks only the header line (its checksum, its
 * shape, and that the file is exactly as long as the header says), and `lookup` binary-searches the entry
 * lines by position, checking the checksum of each line it reads. `entries()` reads everything and checks the
 * whole-file checksum. A version 1 or 2 snapshot (unsorted) is read whole at open and its whole-file checksum
 * checked there, as before; the next compaction rewrites it as version 3.
 */
export class SnapshotFile {
  /** The whole file, once something read it whole (always, for versions 1 and 2). */
  private buf: Buffer | null = null;
  private reader: PositionalReader | null = null;

  private constructor(
    readonly path: string,
    private fd: number | null,
    readonly header: SnapshotHeader,
    /** Inode of the file read. */
    readonly ino: number,
    readonly bytes: number,
    /** Where the entry lines start and where the line after the last one starts. */
    private readonly entriesStart: number,
    private readonly entriesEnd: number,
  ) {}

  /** Opens and checks a snapshot's header; null if there is none yet. Anything wrong is a CorruptionError. */
  static open(path: string): SnapshotFile | null {
    let fd: number;
    try {
      fd = openSync(path, 'r');
    } catch (err) {
      if (isErrno(err, 'ENOENT')) return null;
      throw new FileAccessError(path, err);
    }
    try {
      const { ino, size } = fstatSync(fd);
      const head = readAt(fd, path, 0, Math.min(size, HEADER_WINDOW));
      const version = VERSION_AT_START.exec(head.toString('latin1', 0, 64))?.[1];
      if (version !== '3') {
        const snapshot = SnapshotFile.parseWhole(readAt(fd, path, 0, size), path, ino);
        closeSync(fd);
        return snapshot;
      }
      return SnapshotFile.openSorted(fd, path, ino, size, head);
    } catch (err) {
      closeSync(fd);
      throw err instanceof CorruptionError || err instanceof FileAccessError ? err : new FileAccessError(path, err);
    }
  }

  /** A version 3 snapshot: the header line checked, the entries left on disk. */
  private static openSorted(fd: number, path: string, ino: number, size: number, head: Buffer): SnapshotFile {
    // Anything wrong here: first let the whole-file checksum locate the damage (error path only, so reading
    // everything is fine); only a file whose checksum holds gets the specific complaint.
    const damaged = (message: string, line?: number) => {
      checkWholeFile(readAt(fd, path, 0, size), path);
      return new CorruptionError(`${message}; refusing to touch it`, { path, line });
    };
    const nl = head.indexOf(10);
    const headerLine = nl === -1 ? head : head.subarray(0, nl);
    const problem = nl === -1 ? 'has no end within 4 KiB' : lineChecksumProblem(headerLine, ',');
    if (problem) throw damaged(`snapshot header (line 1) ${problem}`, 1);
    const header = parseHeader(headerLine.toString('utf8'));
    if (!isSnapshotHeader(header)) {
      checkWholeFile(readAt(fd, path, 0, size), path);
      throw new SchemaMismatchError('snapshot header invalid', header, 'snapshotHeader', { path, line: 1 });
    }
    if (header.bytes !== size)
      throw damaged(
        `snapshot is ${size} bytes but its header says ${header.bytes}: the file was cut short or appended to`,
      );
    // The fixed text around the entries: `"entries":{` (or `"entries":{},` when empty) after the header, and
    // `},` plus the checksum trailer at the end.
    const empty = header.keys === 0;
    const open = `${ENTRIES_OPEN}${empty ? '},' : ''}\n`;
    const close = empty ? '' : ENTRIES_CLOSE;
    const tailAt = size - SNAPSHOT_TRAILER_LEN - close.length;
    const opening = head.toString('latin1', nl, nl + open.length);
    const tail = readAt(fd, path, Math.max(0, tailAt), size - Math.max(0, tailAt)).toString('latin1');
    if (opening !== open || !tail.startsWith(`${close}"crc32":"`) || !tail.endsWith('"}\n')) {
      throw damaged(
        'snapshot is not laid out as version 3 (the entries object or the checksum trailer is not where its header says)',
      );
    }
    const entriesStart = nl + open.length;
    const entriesEnd = empty ? entriesStart : tailAt + 1;
    return new SnapshotFile(path, fd, header, ino, size, entriesStart, entriesEnd);
  }

  /** Checks a whole snapshot in memory (versions 1 and 2 at open; any version for a full read). */
  private static parseWhole(buf: Buffer, path: string, ino: number): SnapshotFile {
    const trailerAt = buf.length - SNAPSHOT_TRAILER_LEN;
    checkWholeFile(buf, path);
    const open = buf.indexOf(ENTRIES_OPEN);
    const header = open === -1 ? null : parseHeader(buf.toString('utf8', 0, open));
    if (!isSnapshotHeader(header))
      throw new SchemaMismatchError('snapshot header invalid', header, 'snapshotHeader', { path, line: 1 });
    const snapshot = new SnapshotFile(path, null, header, ino, buf.length, open + ENTRIES_OPEN.length - 1, trailerAt);
    snapshot.buf = buf;
    return snapshot;
  }

  /** The entry of `key`; undefined if the snapshot does not hold it. */
  lookup(key: string): KvEntry | undefined {
    if (this.buf === null) return this.search(key);
    // Versions 1 and 2 are in memory and unsorted: find the key's line by a byte search.
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
    return this.checkEntry(key, raw, () => lineOf(this.buf!, at + 1));
  }

  /** Binary search of a version 3 snapshot: reads and checks O(log n) lines. */
  private search(key: string): KvEntry | undefined {
    this.reader ??= new PositionalReader(this.fd!, this.path);
    let raw: unknown;
    const found = searchSortedLines(
      this.reader,
      this.entriesStart,
      this.entriesEnd,
      key,
      (line) => {
        const parsed = this.parseLine(line);
        raw = parsed.raw;
        return parsed.key;
      },
      compareKeys,
    );
    return found === null ? undefined : this.checkEntry(key, raw, () => this.lineNumberAt(found.start));
  }

  /** One entry line of a version 3 snapshot, its checksum checked: its key and its (unchecked) entry. */
  private parseLine(line: ProbedLine): { key: string; raw: unknown } {
    const bytes = line.bytes;
    const comma = bytes[bytes.length - 1] === 0x2c;
    const problem = lineChecksumProblem(bytes, comma ? '},' : '}');
    if (problem) {
      const n = this.lineNumberAt(line.start);
      throw new CorruptionError(
        `snapshot checksum mismatch: line ${n} ${problem}; the file is damaged, refusing to touch it`,
        {
          path: this.path,
          line: n,
        },
      );
    }
    try {
      const member = JSON.parse(`{${bytes.toString('utf8', 0, bytes.length - (comma ? 1 : 0))}}`) as Record<
        string,
        unknown
      >;
      for (const key in member) return { key, raw: member[key] };
    } catch {
      /* reported below */
    }
    const n = this.lineNumberAt(line.start);
    throw new CorruptionError(`snapshot line ${n} is not an entry although its checksum holds; refusing to touch it`, {
      path: this.path,
      line: n,
    });
  }

  /** Every entry, parsed and checked (the whole-file checksum, every entry's shape, the count, the order). */
  entries(): Map<string, KvEntry> {
    const buf = this.whole();
    let doc: { entries?: Record<string, unknown> };
    try {
      doc = JSON.parse(buf.toString('utf8'));
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
        this.checkEntry(key, raw[key], () => lineOf(buf, buf.indexOf(Buffer.from(`\n${JSON.stringify(key)}:`)) + 1)),
      );
    if (map.size !== this.header.keys) {
      throw new CorruptionError(`snapshot says ${this.header.keys} keys but holds ${map.size}`, { path: this.path });
    }
    if (this.header.version === 3) this.checkSorted(buf);
    return map;
  }

  /** Reads the whole file (once) and checks its whole-file checksum. */
  private whole(): Buffer {
    if (this.buf === null) {
      const buf = readAt(this.fd!, this.path, 0, this.bytes);
      checkWholeFile(buf, this.path);
      this.buf = buf;
    }
    return this.buf;
  }

  /** A binary search relies on the order: a full read proves it (keys are compared as the writer sorted them). */
  private checkSorted(buf: Buffer): void {
    let previous: string | null = null;
    let line = 3;
    for (let start = this.entriesStart; start < this.entriesEnd; line++) {
      const end = buf.indexOf(10, start);
      // The key's JSON ends at the first `":{"value":` (a quote inside a key is escaped).
      const keyEnd = buf.indexOf('":{"value":', start);
      let key: unknown = null;
      try {
        key = keyEnd !== -1 && keyEnd < end ? JSON.parse(buf.toString('utf8', start, keyEnd + 1)) : null;
      } catch {
        /* reported below */
      }
      if (typeof key !== 'string') {
        throw new CorruptionError(`snapshot line ${line} does not start with its key; refusing to touch it`, {
          path: this.path,
          line,
        });
      }
      if (previous !== null && compareKeys(previous, key) >= 0) {
        throw new CorruptionError(
          `snapshot line ${line} is out of order (keys must be sorted and unique); refusing to touch it`,
          { path: this.path, line },
        );
      }
      previous = key;
      start = end + 1;
    }
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

  /** The line number of a byte offset, for an error message (reads the file up to it). */
  private lineNumberAt(offset: number): number {
    return lineOf(this.buf ?? readAt(this.fd!, this.path, 0, offset), offset);
  }

  close(): void {
    if (this.fd !== null) closeSync(this.fd);
    this.fd = null;
  }
}

function parseHeader(line: string): unknown {
  try {
    return JSON.parse(`${line}"entries":{}}`);
  } catch {
    return null;
  }
}

/** The whole-file checksum; only a damaged file pays for finding the damaged line. */
function checkWholeFile(buf: Buffer, path: string): void {
  const trailerAt = buf.length - SNAPSHOT_TRAILER_LEN;
  const trailer = trailerAt >= 0 ? buf.toString('latin1', trailerAt) : '';
  const holds =
    /^"crc32":"[0-9a-f]{8}"\}\n$/.test(trailer) && checksumHex(buf.subarray(0, trailerAt)) === trailer.slice(9, 17);
  if (!holds) throw snapshotDamageError(buf, path);
}

function readAt(fd: number, path: string, position: number, length: number): Buffer {
  const buf = Buffer.allocUnsafe(length);
  let got = 0;
  try {
    while (got < length) {
      const n = readSync(fd, buf, got, length - got, position + got);
      if (n === 0) break;
      got += n;
    }
  } catch (err) {
    throw new FileAccessError(path, err);
  }
  return buf.subarray(0, got);
}

function lineOf(buf: Buffer, offset: number): number {
  let n = 1;
  for (let i = buf.indexOf(10); i !== -1 && i < offset; i = buf.indexOf(10, i + 1)) n++;
  return n;
}
