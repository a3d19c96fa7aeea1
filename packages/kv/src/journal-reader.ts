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
  /** The records, parsed (mode 'decode'). */
  records: JournalRecord[];
  /** The records, checksummed but not parsed (mode 'verify'). */
  lines: JournalLines | null;
  /** Offset just after the last good line: where the next read (or the next append) starts. */
  goodEnd: number;
  /** Lines read so far in the file, header included (for line numbers in messages). */
  goodLines: number;
  /**
   * A last line that is cut short or fails its checksum: a write that a crash tore (or, for a reader that holds
   * no lock, one still being written). It was never acknowledged, so it is ignored, never applied.
   */
  tornTail: { offset: number; line: number; bytes: number } | null;
}

/**
 * Reads the journal open on `fd` from `offset` (where `linesBefore` lines end) to its current end. A bad line
 * before the last one is corruption: the caller gets a CorruptionError naming the file and line, and nothing is
 * repaired. Only the last line may be torn.
 */
export function readJournal(
  fd: number,
  path: string,
  offset = 0,
  linesBefore = 0,
  mode: 'decode' | 'verify' = 'decode',
): JournalChunk {
  let size: number;
  let buf: Buffer;
  try {
    size = fstatSync(fd).size;
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
  const chunk: JournalChunk = {
    header: null,
    records: [],
    lines: mode === 'verify' ? new JournalLines(buf, path) : null,
    goodEnd: offset,
    goodLines: linesBefore,
    tornTail: null,
  };
  let start = 0;
  let line = linesBefore;
  while (start < buf.length) {
    line++;
    const nl = buf.indexOf(10, start);
    const end = nl === -1 ? buf.length : nl;
    const lazy = chunk.lines !== null && line > 1;
    const decoded =
      nl === -1 ? null : lazy ? (verifyLineAt(buf, start, end) ? true : null) : decodeLineAt(buf, start, end);
    if (decoded === null) {
      // Torn: the last line, cut short before its newline (or padded with the NULs a crash can leave when the
      // file's new size reached the disk before its data). A complete line with a bad checksum is damage.
      const isLast = nl === -1 || nl + 1 >= buf.length;
      const looksTorn = nl === -1 || buf.subarray(start, end).includes(0);
      if (isLast && looksTorn && line > 1) {
        chunk.tornTail = { offset: offset + start, line, bytes: buf.length - start };
        break;
      }
      // Not torn: complete (it has its newline) and anywhere, the last line included, or the header.
      const what = line === 1 ? 'journal header (line 1)' : `journal line ${line}`;
      const where = isLast && line > 1 ? ' (the line is complete, so this is damage, not a torn write)' : '';
      throw new CorruptionError(
        `${what}: ${describeBadLineAt(buf, start, end)}${where}: the journal is damaged; refusing to touch it`,
        { path, line },
      );
    }
    if (lazy) {
      chunk.lines!.add(start, end, line);
    } else if (line === 1) {
      if (!isJournalHeader(decoded))
        throw new SchemaMismatchError('not an esc kv journal header', decoded, 'journalHeader', { path, line });
      chunk.header = decoded;
    } else {
      if (!isJournalRecord(decoded))
        throw new SchemaMismatchError('journal record invalid', decoded, 'journalRecord', { path, line });
      chunk.records.push(decoded);
    }
    start = end + 1;
    chunk.goodEnd = offset + start;
    chunk.goodLines = line;
  }
  return chunk;
}
