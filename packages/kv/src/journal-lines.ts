import { CorruptionError } from '@esc/core';
import { decodeLineAt, describeBadLineAt, isJournalRecord, type JournalRecord } from './journal-format.js';
import { SchemaMismatchError } from './schema-mismatch-error.js';

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
  lastFor(key: string): JournalRecord | null {
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
    const r = this.decode(best, this.buf.indexOf(10, best));
    if (r.op !== 'clear' && r.k !== key)
      return (
        this.decodeAll()
          .filter((x) => x.op === 'clear' || x.k === key)
          .pop() ?? null
      );
    return r;
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
