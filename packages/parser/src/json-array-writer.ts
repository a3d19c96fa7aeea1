import { recordSerializer } from './ndjson-writer.js';
import type { ParsedRecord } from './record-stream.js';
import type { RecordWriter, TextSink } from './record-writer.js';

/** One JSON array of records (the original tool's form), still streamed: `[`, records, `]`. */
export class JsonArrayWriter implements RecordWriter {
  private first = true;

  private readonly serialise: (record: ParsedRecord) => string;

  constructor(
    private readonly sink: TextSink,
    fieldNames: readonly string[] = [],
  ) {
    this.serialise = recordSerializer(fieldNames);
  }

  write(records: readonly ParsedRecord[]): void {
    let block = '';
    for (const r of records) {
      block += `${this.first ? '[\n' : ',\n'}${this.serialise(r)}`;
      this.first = false;
    }
    if (block) this.sink.write(block);
  }

  end(): void {
    this.sink.write(this.first ? '[]\n' : '\n]\n');
  }
}
