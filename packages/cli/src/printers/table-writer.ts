import { headerColumns, type ParsedRecord, type RecordWriter, type TextSink } from '@esc/parser';

const MAX_WIDTH = 40;

/**
 * An aligned text table for reading in a terminal. Column widths come from the header and the first batch
 * (capped at 40 characters, longer values cut with …), so the table still streams; the last field (usually
 * the message) is never cut. The timestamp column comes first, as a reader scans by time.
 */
export class TableWriter implements RecordWriter {
  private columns: string[] | undefined;
  private widths: number[] = [];

  constructor(
    private readonly sink: TextSink,
    private readonly fieldNames: readonly string[],
  ) {}

  write(records: readonly ParsedRecord[]): void {
    if (records.length === 0) return;
    if (this.columns === undefined) {
      const fields = headerColumns(this.fieldNames, records);
      this.columns = ['timestamp', ...fields.filter((c) => c !== 'timestamp')];
      this.widths = this.columns.map((c) =>
        Math.min(MAX_WIDTH, Math.max(c.length, ...records.slice(0, 1000).map((r) => this.cell(r, c).length))),
      );
      this.sink.write(`${this.row(this.columns)}\n`);
    }
    let block = '';
    for (const r of records) block += `${this.row(this.columns.map((c) => this.cell(r, c)))}\n`;
    this.sink.write(block);
  }

  end(): void {}

  private cell(r: ParsedRecord, c: string): string {
    const v = c === 'timestamp' ? (r.time?.iso ?? '-') : (r.fields[c] ?? '');
    return v.replace(/[\t\r\n]/g, ' ');
  }

  private row(cells: string[]): string {
    const last = cells.length - 1;
    return cells
      .map((v, i) => {
        if (i === last) return v;
        const w = this.widths[i]!;
        return v.length > w ? `${v.slice(0, w - 1)}…` : v.padEnd(w);
      })
      .join('  ');
  }
}
