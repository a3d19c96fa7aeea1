import { fstatSync, readSync } from 'node:fs';
import { CorruptionError, FileAccessError } from '@esc/core';
import { SchemaMismatchError } from './schema-mismatch-error.js';
import {
  decodeLineAt,
  describeBadLineAt,
  isJournalHeader,
  isJournalRecord,
  verifyLineAt,
  type JournalHeader,
  type JournalRecord,
} from './journal-format.js';
import { JournalLines } from './journal-lines.js';

export interface JournalChunk {
  /** Present when the read started at offset 0. */
  header: JournalHeader | null;
  /** The records, parsed and checked (mode 'decode'). */
  records: JournalRecord[];
  /** The complete lines, unsplit and unchecked (mode 'lazy'; the header excluded). */
  lines: JournalLines | null;
  /** Offset just after the last good line: where the next read (or the next append) starts. */
  goodEnd: number;
  /** Lines read (mode 'decode'); in mode 'lazy' `lines` counts them when asked. */
  lineCount: number;
  /**
   * A last line that is cut short (or padded with NULs): a write that a crash tore (or, for a reader that holds
   * no lock, one still being written). It was never acknowledged, so it is ignored, never applied.
   */
  tornTail: { offset: number; bytes: number } | null;
}

/**
 * Reads the journal open on `fd` from `offset` to its current end. Mode 'decode' checks and parses every line:
 * a bad line before the last one is corruption (a CorruptionError naming the file and line; nothing is
 * repaired), and only the last line may be torn. Mode 'lazy' (a fresh process's point reads) checks the header
 * and the last line only and leaves the others to `JournalLines`, which checks each line it reads.
 * `linesBefore` gives the number of lines before `offset` (for messages; it may cost a count, so it is a function).
 */
export function readJournal(
  fd: number,
  path: string,
  offset: number,
  linesBefore: () => number,
  mode: 'decode' | 'lazy',
): JournalChunk {
  let buf: Buffer;
  try {
    const size = fstatSync(fd).size;
    buf = Buffer.allocUnsafe(Math.max(0, size - offset));
    let got = 0;
    while (got < buf.length) {
      const n = readSync(fd, buf, got, buf.length - got, offset + got);
      if (n === 0) break;
      got += n;
    }
    buf = buf.subarray(0, got);
  } catch (err) {
    throw new FileAccessError(path, err);
  }
  const chunk: JournalChunk = { header: null, records: [], lines: null, goodEnd: offset, lineCount: 0, tornTail: null };
  let start = 0;
  if (offset === 0 && buf.length > 0) {
    // The header: always checked, and never torn (a journal is created whole by a rename).
    const nl = buf.indexOf(10);
    const end = nl === -1 ? buf.length : nl;
    const decoded = nl === -1 ? null : decodeLineAt(buf, 0, end);
    if (decoded === null) {
      throw new CorruptionError(
        `journal header (line 1): ${describeBadLineAt(buf, 0, end)}: the journal is damaged; refusing to touch it`,
        { path, line: 1 },
      );
    }
    if (!isJournalHeader(decoded))
      throw new SchemaMismatchError('not an esc kv journal header', decoded, 'journalHeader', { path, line: 1 });
    chunk.header = decoded;
    chunk.lineCount = 1;
    start = end + 1;
  }
  chunk.goodEnd = offset + start;
  if (mode === 'lazy') {
    const complete = completeEnd(buf, start, path, offset, () => linesBefore() + chunk.lineCount, chunk);
    const before = chunk.lineCount;
    chunk.lines = new JournalLines(buf.subarray(start, complete), path, () => linesBefore() + before);
    chunk.goodEnd = offset + complete;
    return chunk;
  }
  let line = linesBefore() + chunk.lineCount;
  while (start < buf.length) {
    line++;
    const nl = buf.indexOf(10, start);
    const end = nl === -1 ? buf.length : nl;
    const decoded = nl === -1 ? null : decodeLineAt(buf, start, end);
    if (decoded === null) {
      const isLast = nl === -1 || nl + 1 >= buf.length;
      if (isLast && looksTorn(buf, start, nl)) {
        chunk.tornTail = { offset: offset + start, bytes: buf.length - start };
        break;
      }
      throw damage(buf, start, end, isLast, path, line);
    }
    if (!isJournalRecord(decoded))
      throw new SchemaMismatchError('journal record invalid', decoded, 'journalRecord', { path, line });
    chunk.records.push(decoded);
    start = end + 1;
    chunk.goodEnd = offset + start;
    chunk.lineCount++;
  }
  return chunk;
}

/**
 * Where the complete lines of `buf[from…]` end, looking only at the last line: a fragment without its newline
 * (or a last line padded with NULs) is a torn tail; a complete last line must pass its checksum, since a torn
 * write is always the last thing in the file and anything else there is damage.
 */
function completeEnd(
  buf: Buffer,
  from: number,
  path: string,
  offset: number,
  linesBefore: () => number,
  chunk: JournalChunk,
): number {
  if (from >= buf.length) return from;
  let end = buf[buf.length - 1] === 10 ? buf.length : buf.lastIndexOf(10) + 1;
  if (end < from) end = from;
  if (end < buf.length) {
    chunk.tornTail = { offset: offset + end, bytes: buf.length - end };
    return end;
  }
  const lastStart = Math.max(from, buf.lastIndexOf(10, end - 2) + 1);
  if (verifyLineAt(buf, lastStart, end - 1)) return end;
  if (looksTorn(buf, lastStart, end - 1)) {
    chunk.tornTail = { offset: offset + lastStart, bytes: buf.length - lastStart };
    return lastStart;
  }
  let line = linesBefore();
  for (let i = buf.indexOf(10, from); i !== -1 && i < end - 1; i = buf.indexOf(10, i + 1)) line++;
  throw damage(buf, lastStart, end - 1, true, path, line + 1);
}

/** Cut short before its newline, or padded with the NULs a crash can leave when the new size reached the disk first. */
function looksTorn(buf: Buffer, start: number, nl: number): boolean {
  return nl === -1 || buf.subarray(start, nl).includes(0);
}

function damage(buf: Buffer, start: number, end: number, isLast: boolean, path: string, line: number): CorruptionError {
  const where = isLast ? ' (the line is complete, so this is damage, not a torn write)' : '';
  return new CorruptionError(
    `journal line ${line}: ${describeBadLineAt(buf, start, end)}${where}: the journal is damaged; refusing to touch it`,
    { path, line },
  );
}
