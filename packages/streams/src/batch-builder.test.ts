import { crc32c } from '@node-rs/crc32';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BatchBuilder, type EncodedBatch } from './batch-builder.js';
import { crc32cCombine } from './crc32c-combine.js';
import { checkBatch, checkProducerBatch, decodeRecords, encodeBatch, type LogRecord } from './record-batch.js';

const T = Date.parse('2026-12-02T12:00:00.000Z');

/** Gives a batch the offsets and CRC the partition log gives it (baseOffset `base`). */
function place(b: EncodedBatch, base: number): Buffer {
  const bytes = Buffer.from(b.bytes);
  bytes.writeUInt32BE(Math.floor(base / 2 ** 32), 0);
  bytes.writeUInt32BE(base >>> 0, 4);
  bytes.writeUInt32BE(crc32cCombine(crc32c(bytes.subarray(0, 12)), b.tailCrc, bytes.length - 16), 12);
  return bytes;
}

const inputArb = fc.record({
  key: fc.option(fc.string({ unit: 'grapheme', maxLength: 40 }), { nil: null }),
  value: fc.option(fc.string({ unit: 'grapheme', maxLength: 300 }), { nil: null }),
  headers: fc.array(fc.record({ key: fc.string({ maxLength: 5 }), value: fc.option(fc.string(), { nil: null }) }), {
    maxLength: 2,
  }),
  // Now and then a jump past an i32 of milliseconds from the batch's first record: a new batch must start.
  dt: fc.oneof({ weight: 9, arbitrary: fc.integer({ min: -5, max: 50 }) }, { weight: 1, arbitrary: fc.constant(3e9) }),
});

describe('BatchBuilder', () => {
  it('encodes columns (addColumns) into the same batches as add() record by record, across limits and slabs', () => {
    const field = fc.oneof(
      fc.constant(null),
      fc.string({ maxLength: 20 }),
      fc.uint8Array({ maxLength: 300 }).map((a) => Buffer.from(a)),
      fc.integer({ min: 0, max: 70_000 }).map((n) => Buffer.alloc(n, 7)),
    );
    fc.assert(
      fc.property(
        fc.array(fc.record({ key: field, value: field }), { minLength: 1, maxLength: 200 }),
        fc.boolean(),
        fc.integer({ min: 64, max: 300_000 }),
        (records, keyless, limit) => {
          const keys = keyless ? undefined : records.map((r) => r.key);
          const values = records.map((r) => r.value);
          const one = new BatchBuilder();
          one.begin(3, limit);
          for (const [i, v] of values.entries()) one.add(keys?.[i] ?? null, v, undefined, T);
          const columns = new BatchBuilder();
          columns.begin(3, limit);
          expect(columns.addColumns(keys, values, T, Number.POSITIVE_INFINITY)).toBe(-1);
          // The crc field is the log's to fill (the slab's old bytes until then).
          const strip = (b: EncodedBatch) => ({ ...b, bytes: Buffer.from(b.bytes).fill(0, 12, 16), owner: null });
          expect(columns.take().map(strip)).toEqual(one.take().map(strip));
        },
      ),
      { numRuns: 60 },
    );
  });

  it('addColumns returns the size of the first record over the limit', () => {
    const b = new BatchBuilder();
    b.begin(0, 1 << 20);
    const values = [Buffer.alloc(10), Buffer.alloc(500), Buffer.alloc(600)];
    expect(b.addColumns(undefined, values, T, 100)).toBe(24 + 500);
    b.discard();
  });

  it('encodes records as the reference encoder does, cut at the size limit and at i32 timestamp deltas, across slabs', () => {
    fc.assert(
      fc.property(
        fc.array(inputArb, { minLength: 1, maxLength: 80 }),
        fc.integer({ min: 200, max: 4000 }),
        (inputs, limit) => {
          const builder = new BatchBuilder();
          builder.begin(3, limit);
          let t = T;
          const expected: LogRecord[] = [];
          for (const [i, r] of inputs.entries()) {
            t += r.dt;
            // Strings go in as they are, Buffers as Buffers: both ways must give the same bytes.
            const useBuffers = i % 2 === 1;
            const bytes = (s: string | null) => (s === null ? null : useBuffers ? Buffer.from(s) : s);
            builder.add(
              bytes(r.key),
              bytes(r.value),
              r.headers.map((h) => ({ key: h.key, value: bytes(h.value) })),
              t,
            );
            expected.push({
              offset: i,
              timestamp: t,
              key: r.key === null ? null : Buffer.from(r.key),
              value: r.value === null ? null : Buffer.from(r.value),
              headers: r.headers.map((h) => ({ key: h.key, value: h.value === null ? null : Buffer.from(h.value) })),
            });
          }
          const batches = builder.take();
          const got: LogRecord[] = [];
          let base = 0;
          for (const [i, b] of batches.entries()) {
            expect(b.partition).toBe(3);
            const bytes = place(b, base);
            expect(checkBatch(bytes)).toBeNull();
            // A batch of more than one record stays within the limit; one record may be larger on its own.
            if (b.count > 1) expect(bytes.length).toBeLessThanOrEqual(limit);
            const records = decodeRecords(bytes);
            expect(records.length).toBe(b.count);
            expect(b.firstTimestamp).toBe(records[0]!.timestamp);
            expect(b.maxTimestamp).toBe(Math.max(...records.map((r) => r.timestamp)));
            // The same bytes as the reference encoder (the cleaner's), with the same records.
            expect(bytes.toString('hex'), `batch ${i}`).toBe(encodeBatch(records).toString('hex'));
            got.push(...records);
            base += b.count;
          }
          expect(got).toEqual(expected);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('reuses its memory once the batches are written, and leaves batches not yet written alone', () => {
    const builder = new BatchBuilder();
    const value = Buffer.alloc(100, 1);
    builder.begin(0, 1 << 20);
    for (let i = 0; i < 1000; i++) builder.add(null, value, undefined, T);
    const [first] = builder.take();
    builder.begin(0, 1 << 20);
    builder.add('later', 'x', undefined, T);
    const [second] = builder.take();
    // Not yet written: the second batch was encoded after the first, not over it.
    expect(second!.bytes.byteOffset).toBeGreaterThanOrEqual(first!.bytes.byteOffset + first!.bytes.length);
    builder.release(first!);
    builder.release(second!);
    builder.begin(0, 1 << 20);
    builder.add('again', 'y', undefined, T);
    const [third] = builder.take();
    expect(third!.bytes.buffer).toBe(first!.bytes.buffer);
    expect(third!.bytes.byteOffset).toBe(first!.bytes.byteOffset);
  });

  it('moves a batch being built into a larger slab when a record does not fit', () => {
    const builder = new BatchBuilder();
    builder.begin(0, 64 << 20);
    builder.add('a', 'small', undefined, T);
    const big = Buffer.alloc(5 << 20, 7);
    builder.add('b', big, undefined, T + 1);
    const [batch] = builder.take();
    const records = decodeRecords(place(batch!, 10));
    expect(records.map((r) => [r.offset, r.key?.toString(), r.value?.length])).toEqual([
      [10, 'a', 5],
      [11, 'b', 5 << 20],
    ]);
    expect(records[1]!.value!.equals(big)).toBe(true);
  });
});

describe('crc32cCombine', () => {
  it('gives the CRC-32C of a concatenation from its parts', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), fc.uint8Array({ maxLength: 5000 }), (a, b) => {
        const [x, y] = [Buffer.from(a), Buffer.from(b)];
        expect(crc32cCombine(crc32c(x), crc32c(y), y.length)).toBe(crc32c(Buffer.concat([x, y])));
      }),
    );
  });
});

describe('checkProducerBatch', () => {
  const records: LogRecord[] = [0, 1, 2].map((offset) => ({
    offset,
    timestamp: T + offset,
    key: Buffer.from(`k${offset}`),
    value: offset === 1 ? null : Buffer.from('value'),
    headers: [],
  }));

  it('accepts a batch encoded with offsets from 0 and returns what the writer needs', () => {
    const batch = encodeBatch(records);
    expect(checkProducerBatch(batch)).toEqual({
      count: 3,
      firstTimestamp: T,
      maxTimestamp: T + 2,
      tailCrc: crc32c(batch.subarray(16)),
    });
  });

  it('refuses a flipped bit anywhere, gaps in the offsets, and a wrong length', () => {
    const batch = encodeBatch(records);
    for (let i = 0; i < batch.length; i++) {
      const damaged = Buffer.from(batch);
      damaged[i]! ^= 0x04;
      expect(typeof checkProducerBatch(damaged), `byte ${i}`).toBe('string');
    }
    const gap = encodeBatch(records.map((r, i) => ({ ...r, offset: i * 2 })));
    expect(checkProducerBatch(gap)).toMatch(/lastOffsetDelta 4 for 3 records/);
    expect(checkProducerBatch(batch.subarray(0, batch.length - 1))).toMatch(/length field/);
  });
});
