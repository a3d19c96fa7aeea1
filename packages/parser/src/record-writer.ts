import type { ParsedRecord } from './record-stream.js';

/** Where writers put text: core's BufferedOutput, or anything with `write(string)`. */
export interface TextSink {
  /** `ascii: true` promises the text is ASCII (a sink may then skip UTF-8 encoding). */
  write(text: string, ascii?: boolean): void;
}

/** Prints records in one output form, batch by batch; `end` closes the form (a JSON array's `]`). */
export interface RecordWriter {
  write(records: readonly ParsedRecord[]): void;
  end(): void;
}

export const OUTPUT_FORMS = ['ndjson', 'json', 'csv', 'table'] as const;
export type OutputForm = (typeof OUTPUT_FORMS)[number];

/**
 * The columns of a record as printed: its fields in format order, then `timestamp` (normalised ISO-8601 or
 * null), as the original tool printed them. A field itself called `timestamp` is shadowed by the normalised one.
 */
function recordColumns(fieldNames: readonly string[]): string[] {
  return [...fieldNames.filter((f) => f !== 'timestamp'), 'timestamp'];
}

/**
 * The columns for a form with a header (CSV, table). JSON lines have no fixed fields, so the keys of the whole
 * first batch make them, in order of first appearance: taking only the first record's keys silently dropped
 * the fields of records shaped differently. Keys first seen in a later batch are not printed (NDJSON has all).
 */
export function headerColumns(fieldNames: readonly string[], firstBatch: readonly ParsedRecord[]): string[] {
  if (fieldNames.length > 0) return recordColumns(fieldNames);
  const keys = new Set<string>();
  for (const r of firstBatch) for (const k of Object.keys(r.fields)) keys.add(k);
  return recordColumns([...keys]);
}
