import type { ProduceRecord } from '../topic-store.js';
import type { LogRecord, RecordHeader } from '../record-batch.js';

/**
 * A record as a stream entry's field-value pairs (docs/formats/redis-topics.md): `t` the timestamp in decimal
 * milliseconds, `k` the key and `v` the value when not null, then one `h.NAME` pair per header (`h!NAME` with an
 * empty value for a null header value). Redis keeps an entry's pairs in order and allows a field twice, so
 * headers keep Kafka's order and repeats.
 */
export function recordFields(record: ProduceRecord, timestamp: number): (string | Buffer)[] {
  const fields: (string | Buffer)[] = ['t', String(timestamp)];
  const key = record.key ?? null;
  if (key !== null) fields.push('k', key);
  if (record.value !== null) fields.push('v', record.value);
  for (const h of record.headers ?? []) {
    if (h.value === null) fields.push(`h!${h.key}`, '');
    else fields.push(`h.${h.key}`, h.value);
  }
  return fields;
}

/** Bytes a record's key, value and headers take: what max.message.bytes limits. */
export function recordSize(record: ProduceRecord): number {
  const len = (b: Buffer | string | null | undefined) =>
    b === null || b === undefined ? 0 : typeof b === 'string' ? Buffer.byteLength(b) : b.length;
  let size = len(record.key) + len(record.value);
  for (const h of record.headers ?? []) size += Buffer.byteLength(h.key) + len(h.value);
  return size;
}

/** The record of an entry read with a …Buffer command; fields esc does not write are ignored. */
export function entryRecord(offset: number, fields: readonly Buffer[]): LogRecord {
  let timestamp = 0;
  let key: Buffer | null = null;
  let value: Buffer | null = null;
  const headers: RecordHeader[] = [];
  for (let i = 0; i + 1 < fields.length; i += 2) {
    const name = fields[i]!.toString('utf8');
    const data = fields[i + 1]!;
    if (name === 't') timestamp = Number(data.toString('latin1'));
    else if (name === 'k') key = data;
    else if (name === 'v') value = data;
    else if (name.startsWith('h.')) headers.push({ key: name.slice(2), value: data });
    else if (name.startsWith('h!')) headers.push({ key: name.slice(2), value: null });
  }
  return { offset, timestamp, key, value, headers };
}
