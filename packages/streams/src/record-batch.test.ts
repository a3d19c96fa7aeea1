import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  checkBatch,
  decodeBatchHeader,
  decodeRecords,
  encodeBatch,
  filterBatch,
  type LogRecord,
} from './record-batch.js';

const T = Date.parse('2026-12-02T12:00:00.000Z');
const example: LogRecord[] = [
  { offset: 0, timestamp: T, key: Buffer.from('k1'), value: Buffer.from('hello'), headers: [] },
  {
    offset: 1,
    timestamp: T + 5,
    key: null,
    value: Buffer.from('hi'),
    headers: [{ key: 'h', value: Buffer.from('v') }],
  },
];

/** The xxd-style dump in docs/formats/streams-segment.md's worked example, as bytes. */
function documentedExample(): Buffer {
  const doc = readFileSync(new URL('../../../docs/formats/streams-segment.md', import.meta.url), 'utf8');
  const section = doc.slice(doc.indexOf('### Worked example'), doc.indexOf('Field by field'));
  const lines = section.split('\n').filter((l) => /^[0-9a-f]{8}: /.test(l));
  const hex = lines.map((l) => l.slice(10, 49).replace(/ /g, '')).join('');
  return Buffer.from(hex, 'hex');
}

describe('record batch', () => {
  it('encodes the documented example byte for byte', () => {
    const bytes = encodeBatch(example);
    expect(bytes.length).toBe(109);
    expect(bytes.toString('hex')).toBe(documentedExample().toString('hex'));
  });

  it('decodes what it encodes, with the header fields', () => {
    const bytes = encodeBatch(example);
    expect(checkBatch(bytes)).toBeNull();
    expect(decodeBatchHeader(bytes)).toEqual({
      baseOffset: 0,
      size: 109,
      crc: 0xaef8e384,
      lastOffsetDelta: 1,
      baseTimestamp: T,
      maxTimestamp: T + 5,
      recordCount: 2,
    });
    expect(decodeRecords(bytes)).toEqual(example);
  });

  it('catches a flipped bit in every byte, the base offset and length included', () => {
    const bytes = encodeBatch(example);
    for (let i = 0; i < bytes.length; i++) {
      const damaged = Buffer.from(bytes);
      damaged[i]! ^= 0x10;
      expect(checkBatch(damaged), `byte ${i}`).toMatch(/checksum mismatch/);
    }
  });

  it('round-trips any records (offsets with gaps, null keys and values, headers, timestamps either side)', () => {
    const bytesArb = fc.option(
      fc.uint8Array({ maxLength: 40 }).map((a) => Buffer.from(a)),
      { nil: null },
    );
    const recordArb = fc.record({
      gap: fc.integer({ min: 1, max: 1000 }),
      timestampDelta: fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }),
      key: bytesArb,
      value: bytesArb,
      headers: fc.array(fc.record({ key: fc.string({ maxLength: 5 }), value: bytesArb }), { maxLength: 3 }),
    });
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 2 ** 52 }),
        fc.array(recordArb, { minLength: 1, maxLength: 20 }),
        (base, rs) => {
          let offset = base;
          const records: LogRecord[] = rs.map((r, i) => {
            if (i > 0) offset += r.gap;
            return {
              offset,
              timestamp: T + (i === 0 ? 0 : r.timestampDelta),
              key: r.key,
              value: r.value,
              headers: r.headers,
            };
          });
          const bytes = encodeBatch(records);
          expect(checkBatch(bytes)).toBeNull();
          expect(decodeRecords(bytes)).toEqual(records);
          expect(decodeBatchHeader(bytes).maxTimestamp).toBe(Math.max(...records.map((r) => r.timestamp)));
        },
      ),
    );
  });

  it('filters a batch by copying record bytes: the same as decoding, filtering and encoding', () => {
    const bytesArb = fc.option(
      fc.uint8Array({ maxLength: 20 }).map((a) => Buffer.from(a)),
      { nil: null },
    );
    const recordArb = fc.record({
      gap: fc.integer({ min: 1, max: 50 }),
      dt: fc.integer({ min: -100_000, max: 100_000 }),
      key: bytesArb,
      value: bytesArb,
      keep: fc.boolean(),
    });
    fc.assert(
      fc.property(fc.array(recordArb, { minLength: 1, maxLength: 15 }), (rs) => {
        let offset = 1000;
        const records: LogRecord[] = rs.map((r, i) => {
          if (i > 0) offset += r.gap;
          return { offset, timestamp: T + (i === 0 ? 0 : r.dt), key: r.key, value: r.value, headers: [] };
        });
        const keepOffsets = new Set(records.filter((_, i) => rs[i]!.keep).map((r) => r.offset));
        const out = filterBatch(encodeBatch(records), (v) => keepOffsets.has(v.offset));
        const expected = records.filter((r) => keepOffsets.has(r.offset));
        if (expected.length === 0) expect(out).toBeNull();
        else {
          expect(checkBatch(out!)).toBeNull();
          expect(decodeRecords(out!)).toEqual(expected);
          expect(decodeBatchHeader(out!).maxTimestamp).toBe(Math.max(...expected.map((r) => r.timestamp)));
        }
      }),
    );
  });

  it('refuses records whose lengths do not fill the batch', () => {
    const bytes = encodeBatch(example);
    bytes.writeUInt32BE(26, 42); // record 0 claims one byte less
    expect(() => decodeRecords(bytes)).toThrow(/record 0/);
  });
});
