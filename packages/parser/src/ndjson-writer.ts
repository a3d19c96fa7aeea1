import type { ParsedRecord } from './record-stream.js';
import type { RecordWriter, TextSink } from './record-writer.js';

/** The JSON object of one record: `{"date":"081109",…,"content":"…","timestamp":"2008-11-09T20:36:15"}`. */
export function recordJson(record: ParsedRecord): string {
  let s = '{';
  for (const key in record.fields) if (key !== 'timestamp') s += `${JSON.stringify(key)}:${JSON.stringify(record.fields[key])},`;
  return `${s}"timestamp":${record.time === null ? 'null' : `"${record.time.iso}"`}}`;
}

/** One JSON object a line (NDJSON): streams in constant memory. */
export class NdjsonWriter implements RecordWriter {
  constructor(private readonly sink: TextSink) {}

  write(records: readonly ParsedRecord[]): void {
    let block = '';
    for (const r of records) {
      block += `${recordJson(r)}\n`;
      if (block.length > 32768) {
        this.sink.write(block);
        block = '';
      }
    }
    if (block) this.sink.write(block);
  }

  end(): void {}
}
