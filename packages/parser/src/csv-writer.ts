import type { ParsedRecord } from './record-stream.js';
import { headerColumns, type RecordWriter, type TextSink } from './record-writer.js';

/** RFC 4180 quoting: a value with a comma, quote, CR or LF is quoted, quotes doubled. */
function csvValue(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

/** CSV with a header row: the format's fields, then timestamp (empty when invalid). */
export class CsvWriter implements RecordWriter {
  private columns: string[] | undefined;
  private headerWritten = false;

  constructor(
    private readonly sink: TextSink,
    private readonly fieldNames: readonly string[],
  ) {
    // JSON lines have no fixed fields: the first batch's keys make the header.
    if (fieldNames.length > 0) this.columns = headerColumns(fieldNames, []);
  }

  write(records: readonly ParsedRecord[]): void {
    if (records.length === 0) return;
    this.columns ??= headerColumns(this.fieldNames, records);
    let block = '';
    for (const r of records) {
      if (block === '' && !this.headerWritten) {
        block += `${this.columns.map(csvValue).join(',')}\r\n`;
        this.headerWritten = true;
      }
      const row = this.columns.map((c) => (c === 'timestamp' ? (r.time?.iso ?? '') : csvValue(r.fields[c] ?? '')));
      block += `${row.join(',')}\r\n`;
    }
    if (block) this.sink.write(block);
  }

  end(): void {
    if (!this.headerWritten && this.columns) this.sink.write(`${this.columns.map(csvValue).join(',')}\r\n`);
  }
}
