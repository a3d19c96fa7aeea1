import type { ParsedRecord } from './record-stream.js';
import type { RecordWriter, TextSink } from './record-writer.js';

/** The JSON object of one record: `{"date":"081109",…,"content":"…","timestamp":"2008-11-09T20:36:15"}`. */
export function recordJson(record: ParsedRecord): string {
  let s = '{';
  for (const key of Object.keys(record.fields)) if (key !== 'timestamp') s += `${JSON.stringify(key)}:${JSON.stringify(record.fields[key])},`;
  return `${s}"timestamp":${record.time === null ? 'null' : `"${record.time.iso}"`}}`;
}

/**
 * A serialiser for records with known fields: the keys' JSON (`{"date":`, `,"time":`…) is built once, so a
 * record costs one JSON.stringify per value and string joins. Falls back to recordJson without fields.
 */
export function recordSerializer(fieldNames: readonly string[]): (record: ParsedRecord) => string {
  const names = fieldNames.filter((f) => f !== 'timestamp');
  if (names.length === 0) return recordJson;
  const prefixes = names.map((n, i) => `${i === 0 ? '{' : ','}${JSON.stringify(n)}:`);
  const count = names.length;
  return (record) => {
    const f = record.fields;
    let s = '';
    for (let i = 0; i < count; i++) s += prefixes[i]! + JSON.stringify(f[names[i]!] ?? '');
    return `${s},"timestamp":${record.time === null ? 'null' : `"${record.time.iso}"`}}`;
  };
}

/** One JSON object a line (NDJSON): streams in constant memory. */
export class NdjsonWriter implements RecordWriter {
  private readonly serialise: (record: ParsedRecord) => string;

  constructor(
    private readonly sink: TextSink,
    fieldNames: readonly string[] = [],
  ) {
    this.serialise = recordSerializer(fieldNames);
  }

  write(records: readonly ParsedRecord[]): void {
    let block = '';
    for (let i = 0; i < records.length; i++) {
      block += `${this.serialise(records[i]!)}\n`;
      if (block.length > 65536) {
        this.sink.write(block);
        block = '';
      }
    }
    if (block) this.sink.write(block);
  }

  end(): void {}
}
