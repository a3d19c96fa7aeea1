import type { ParsedRecord } from './record-stream.js';
import type { RecordWriter, TextSink } from './record-writer.js';

/**
 * The JSON object of one record: `{"date":"081109",…,"content":"…","timestamp":"2008-11-09T20:36:15"}`.
 */
function recordJson(record: ParsedRecord): string {
  let s = '{';
  for (const key of Object.keys(record.fields))
    if (key !== 'timestamp') s += `${JSON.stringify(key)}:${JSON.stringify(record.fields[key])},`;
  return `${s}"timestamp":${record.time === null ? 'null' : `"${record.time.iso}"`}}`;
}

// A value with none of these is written as "value": no escape needed, and ASCII (everything else goes through
// JSON.stringify, which also escapes lone surrogates). Three times faster than JSON.stringify on log fields.
// biome-ignore lint/suspicious/noControlCharactersInRegex: the control characters are what JSON must escape
const NEEDS_STRINGIFY = /["\\\u0000-\u001f\u007f-\uffff]/;

/** A value as a JSON string; sets `plainAscii.value = false` when the text may hold non-ASCII. */
function jsonString(v: string, ascii: { value: boolean }): string {
  if (!NEEDS_STRINGIFY.test(v)) return `"${v}"`;
  ascii.value = false;
  return JSON.stringify(v);
}

/**
 * A serialiser for records with known fields: the keys' JSON (`{"date":`, `,"time":`…) is built once, so a
 * record costs one JSON.stringify per value and string joins. Falls back to recordJson without fields.
 */
export function recordSerializer(
  fieldNames: readonly string[],
  ascii: { value: boolean } = { value: true },
): (record: ParsedRecord) => string {
  const names = fieldNames.filter((f) => f !== 'timestamp');
  if (names.length === 0) {
    return (record) => {
      ascii.value = false;
      return recordJson(record);
    };
  }
  const prefixes = names.map((n, i) => `${i === 0 ? '{' : ','}${JSON.stringify(n)}:`);
  // biome-ignore lint/suspicious/noControlCharactersInRegex: the ASCII range, control characters included
  const asciiKeys = prefixes.every((p) => /^[\x00-\x7f]*$/.test(p));
  const count = names.length;
  return (record) => {
    const f = record.fields;
    if (!asciiKeys) ascii.value = false;
    let s = '';
    for (let i = 0; i < count; i++) s += prefixes[i]! + jsonString(f[names[i]!] ?? '', ascii);
    return `${s},"timestamp":${record.time === null ? 'null' : `"${record.time.iso}"`}}`;
  };
}

/** One JSON object a line (NDJSON): streams in constant memory. */
export class NdjsonWriter implements RecordWriter {
  private readonly serialise: (record: ParsedRecord) => string;
  // Whether the text since the last hand-over is known to be ASCII (lets the sink skip UTF-8 encoding).
  private readonly ascii = { value: true };

  constructor(
    private readonly sink: TextSink,
    fieldNames: readonly string[] = [],
  ) {
    this.serialise = recordSerializer(fieldNames, this.ascii);
  }

  write(records: readonly ParsedRecord[]): void {
    let block = '';
    this.ascii.value = true;
    for (let i = 0; i < records.length; i++) {
      block += `${this.serialise(records[i]!)}\n`;
      if (block.length > 65536) {
        this.sink.write(block, this.ascii.value);
        this.ascii.value = true;
        block = '';
      }
    }
    if (block) this.sink.write(block, this.ascii.value);
  }

  end(): void {}
}
