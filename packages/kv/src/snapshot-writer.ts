import { FileAccessError, writeFileAtomicSync } from '@esc/core';
import { checksumHex } from './journal-format.js';
import type { KvEntry } from './kv-entry.js';
import {
  compareKeys,
  ENTRIES_OPEN,
  type JournalPosition,
  LINE_CHECKSUM_OPEN,
  SNAPSHOT_FORMAT,
  SNAPSHOT_VERSION,
  SNAPSHOT_TRAILER_LEN,
} from './snapshot-format.js';

/** The bytes of a snapshot of `entries` (any order: they are written sorted by key). */
export function renderSnapshot(
  generation: number,
  entries: Iterable<[string, KvEntry]>,
  createdAt = new Date(),
  journalFrom: JournalPosition | null = null,
): Buffer {
  const sorted = [...entries].sort((a, b) => compareKeys(a[0], b[0]));
  const parts: string[] = [ENTRIES_OPEN];
  for (let i = 0; i < sorted.length; i++) {
    const [key, entry] = sorted[i]!;
    parts.push(`${i === 0 ? '\n' : ',\n'}${withLineChecksum(`${JSON.stringify(key)}:${renderEntryOpen(entry)},`)}}`);
  }
  parts.push(sorted.length === 0 ? '},\n' : '\n},\n');
  const body = parts.join('');
  const bodyBytes = Buffer.byteLength(body);
  const from =
    journalFrom === null
      ? ''
      : `"journalFrom":{"generation":${journalFrom.generation},"offset":${journalFrom.offset}},`;
  // The header holds the file's size, which depends on the header's own length: a couple of rounds settle it.
  let header = '';
  for (let size = 0; ; ) {
    header = `${withLineChecksum(`{"format":"${SNAPSHOT_FORMAT}","version":${SNAPSHOT_VERSION},"generation":${generation},"createdAt":"${createdAt.toISOString()}","keys":${sorted.length},"bytes":${size},${from}`)},`;
    const total = Buffer.byteLength(header) + bodyBytes + SNAPSHOT_TRAILER_LEN;
    if (total === size) break;
    size = total;
  }
  const covered = `${header}${body}`;
  return Buffer.from(`${covered}"crc32":"${checksumHex(covered)}"}\n`, 'utf8');
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
export function writeSnapshot(path: string, generation: number, entries: Iterable<[string, KvEntry]>): number {
  const buf = renderSnapshot(generation, entries);
  try {
    writeFileAtomicSync(path, buf);
  } catch (err) {
    throw new FileAccessError(path, err);
  }
  return buf.length;
}
