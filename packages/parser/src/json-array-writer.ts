import { recordJson } from './ndjson-writer.js';
import type { ParsedRecord } from './record-stream.js';
import type { RecordWriter, TextSink } from './record-writer.js';

/** One JSON array of records (the original tool's form), still streamed: `[`, records, `]`. */
export class JsonArrayWriter implements RecordWriter {
  private first = true;

  constructor(private readonly sink: TextSink) {}

  write(records: readonly ParsedRecord[]): void {
    let block = '';
    for (const r of records) {
      block += `${this.first ? '[\n' : ',\n'}${recordJson(r)}`;
      this.first = false;
    }
    if (block) this.sink.write(block);
  }

  end(): void {
    this.sink.write(this.first ? '[]\n' : '\n]\n');
  }
}
