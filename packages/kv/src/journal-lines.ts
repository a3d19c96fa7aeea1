import { RECORD_OFFSET, decodeLineAt, isJournalRecord, type JournalRecord } from './journal-format.js';
import { SchemaMismatchError } from './schema-mismatch-error.js';

const CLEAR_BODY = Buffer.from(JSON.stringify({ op: 'clear' }));

/**
 * Journal lines whose checksums were verified but whose records are not parsed yet. A process that answers one
 * `get` needs the last record about one key, not all of them: replaying a journal of thousands of lines costs
 * more than the rest of the command (JSON.parse per line, in code not yet optimised at start-up). The key's
 * records are found by a byte search for `"k":<key as JSON>`, which only a record's own key field can match
 * (JSON escapes every quote inside a string).
 */
export class JournalLines {
  private readonly clears: number[] = [];

  constructor(
    private readonly buf: Buffer,
    private readonly path: string,
    private readonly starts: number[] = [],
    private readonly ends: number[] = [],
    private readonly lineNumbers: number[] = [],
  ) {}

  add(start: number, end: number, line: number): void {
    const i = this.starts.length;
    this.starts.push(start);
    this.ends.push(end);
    this.lineNumbers.push(line);
    const body = end - 1 - (start + RECORD_OFFSET);
    if (body === CLEAR_BODY.length && this.buf.compare(CLEAR_BODY, 0, body, start + RECORD_OFFSET, end - 1) === 0)
      this.clears.push(i);
  }

  get length(): number {
    return this.starts.length;
  }

  /** The last record that decides `key` here (its set or del, or a later clear), or null if none does. */
  lastFor(key: string): JournalRecord | null {
    const needle = Buffer.from(`"k":${JSON.stringify(key)}`);
    let best = this.clears.length > 0 ? this.clears[this.clears.length - 1]! : -1;
    for (let at = this.buf.indexOf(needle); at !== -1; at = this.buf.indexOf(needle, at + 1)) {
      const next = this.buf[at + needle.length];
      if (next !== 0x2c && next !== 0x7d) continue; // defensive: the quoted key already ends the match
      const i = this.lineAt(at);
      if (i > best) best = i;
    }
    if (best === -1) return null;
    const r = this.decode(best);
    if (r.op !== 'clear' && r.k !== key)
      return (
        this.decodeAll()
          .filter((x) => x.op === 'clear' || x.k === key)
          .pop() ?? null
      );
    return r;
  }

  /** Every record, parsed and checked, in order. */
  decodeAll(): JournalRecord[] {
    return this.starts.map((_, i) => this.decode(i));
  }

  private decode(i: number): JournalRecord {
    const value = decodeLineAt(this.buf, this.starts[i]!, this.ends[i]!);
    if (!isJournalRecord(value))
      throw new SchemaMismatchError('journal record invalid', value, 'journalRecord', {
        path: this.path,
        line: this.lineNumbers[i],
      });
    return value;
  }

  /** Index of the line holding byte `at` (binary search over the line starts). */
  private lineAt(at: number): number {
    let lo = 0;
    let hi = this.starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.starts[mid]! <= at) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }
}
