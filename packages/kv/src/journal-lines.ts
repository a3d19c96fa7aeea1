import { CorruptionError } from '@esc/core';
import {
  decodeLineAt,
  describeBadLineAt,
  isJournalRecord,
  type JournalRecord,
  type KeyRecord,
} from './journal-format.js';
import { SchemaMismatchError } from './schema-mismatch-error.js';

type ClearRecord = { op: 'clear' };

/** What record `r` says about `key`: a clear, the key's (last) change, or null when it does not name the key. */
function deciding(r: JournalRecord, key: string): KeyRecord | ClearRecord | null {
  if (r.op === 'clear') return r;
  if (r.op !== 'batch') return r.k === key ? r : null;
  for (let i = r.ops.length - 1; i >= 0; i--) if (r.ops[i]!.k === key) return r.ops[i]!;
  return null;
}

const CLEAR_LINE_END = Buffer.from(`"r":${JSON.stringify({ op: 'clear' })}}\n`);

/**
 * Complete journal lines read but neither split, checksummed nor parsed. A process that answers one `get`
 * needs the last record about one key, not all of them: walking a journal of 10,000 lines (a split, a
 * checksum and a JSON.parse each, in code not yet optimised at start-up) costs ~50 ms, a byte search 0.4 ms.
 * So a point read finds the key's records by a byte search for `"k":<key as JSON>`, which only a record's
 * own key field can match (JSON escapes every quote inside a string), and the clears by their fixed text,
 * and checks only the one line that decides. `decodeAll` (a writer, a listing, a full check) checks every line.
 */
export class JournalLines {
  private lines: number | null = null;

  constructor(
    /** Whole lines, each ending with `\n`. */
    private readonly buf: Buffer,
    private readonly path: string,
    /** How many lines of the file come before these (for line numbers in messages; may cost a count). */
    private readonly linesBefore: () => number,
  ) {}

  get isEmpty(): boolean {
    return this.buf.length === 0;
  }

  get byteLength(): number {
    return this.buf.length;
  }

  /** The lines after the first `bytes` (which must end at a line's end), or null if they do not. */
  after(bytes: number): JournalLines | null {
    if (bytes < 0 || bytes > this.buf.length || (bytes > 0 && this.buf[bytes - 1] !== 10)) return null;
    const skipped = this.buf.subarray(0, bytes);
    return new JournalLines(this.buf.subarray(bytes), this.path, () => {
      let n = 0;
      for (let i = skipped.indexOf(10); i !== -1; i = skipped.indexOf(10, i + 1)) n++;
      return this.linesBefore() + n;
    });
  }

  /** How many lines these are (counted once, when asked). */
  lineCount(): number {
    if (this.lines === null) {
      let n = 0;
      for (let i = this.buf.indexOf(10); i !== -1; i = this.buf.indexOf(10, i + 1)) n++;
      this.lines = n;
    }
    return this.lines;
  }

  /** The last record that decides `key` here (its set or del, or a later clear), or null if none does. */
  lastFor(key: string): KeyRecord | ClearRecord | null {
    const needle = Buffer.from(`"k":${JSON.stringify(key)}`);
    let best = -1;
    const clear = this.buf.lastIndexOf(CLEAR_LINE_END);
    if (clear !== -1) best = this.lineStart(clear);
    for (let at = this.buf.lastIndexOf(needle); at !== -1; at = this.buf.lastIndexOf(needle, at - 1)) {
      const next = this.buf[at + needle.length];
      if (next !== 0x2c && next !== 0x7d) continue; // defensive: the quoted key already ends the match
      best = Math.max(best, this.lineStart(at));
      break; // searching backwards: the first match is the last record about the key
    }
    if (best === -1) return null;
    const found = deciding(this.decode(best, this.buf.indexOf(10, best)), key);
    if (found !== null) return found;
    let last: KeyRecord | ClearRecord | null = null;
    for (const r of this.decodeAll()) last = deciding(r, key) ?? last;
    return last;
  }

  /** Every record, each line's checksum and shape checked, in order. */
  decodeAll(): JournalRecord[] {
    const records: JournalRecord[] = [];
    for (let start = 0; start < this.buf.length; ) {
      const end = this.buf.indexOf(10, start);
      records.push(this.decode(start, end, records.length));
      start = end + 1;
    }
    this.lines = records.length;
    return records;
  }

  /** The record of the line `[start, end)`; damage is a CorruptionError naming the line. */
  private decode(start: number, end: number, index?: number): JournalRecord {
    const value = decodeLineAt(this.buf, start, end);
    if (value === null) {
      const line = this.lineNumber(start, index);
      throw new CorruptionError(
        `journal line ${line}: ${describeBadLineAt(this.buf, start, end)}: the journal is damaged; refusing to touch it`,
        { path: this.path, line },
      );
    }
    if (!isJournalRecord(value))
      throw new SchemaMismatchError('journal record invalid', value, 'journalRecord', {
        path: this.path,
        line: this.lineNumber(start, index),
      });
    return value;
  }

  private lineNumber(start: number, index?: number): number {
    let n = index;
    if (n === undefined) {
      n = 0;
      for (let i = this.buf.indexOf(10); i !== -1 && i < start; i = this.buf.indexOf(10, i + 1)) n++;
    }
    return this.linesBefore() + n + 1;
  }

  private lineStart(at: number): number {
    return this.buf.lastIndexOf(10, at) + 1;
  }
}
