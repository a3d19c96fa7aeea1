import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isJournalHeader, isJournalRecord } from './journal-format.js';
import {
  journalHeaderSchema,
  journalRecordSchema,
  snapshotEntrySchema,
  snapshotEntryV2Schema,
  snapshotHeaderSchema,
} from './kv-schemas.js';
import { isSnapshotEntry, isSnapshotEntryV2, isSnapshotHeader } from './snapshot-format.js';

// The lean predicates on the hot path must accept exactly what the zod schemas accept.
const num = fc.oneof(
  fc.integer({ min: -3, max: 3 }),
  fc.constant(1.5),
  fc.constant(2 ** 53),
  fc.constant(1_795_000_000_000),
);
const field = fc.oneof(
  num,
  fc.string({ maxLength: 3 }),
  fc.constant(null),
  fc.boolean(),
  fc.constant([]),
  fc.constant({}),
);
function nearly(shape: Record<string, fc.Arbitrary<unknown>>) {
  // Objects with the right keys (some dropped, some extra) and values sometimes of the right type.
  const keys = Object.keys(shape);
  return fc
    .tuple(
      fc.subarray(keys),
      fc.dictionary(fc.constantFrom('x', 'extra', 'op'), field, { maxKeys: 1 }),
      fc.array(fc.boolean(), { minLength: keys.length, maxLength: keys.length }),
    )
    .chain(([present, extra, good]) =>
      fc
        .record(Object.fromEntries(present.map((k) => [k, good[keys.indexOf(k)] ? shape[k]! : field])))
        .map((o) => ({ ...extra, ...o })),
    );
}
const json = <T>(a: fc.Arbitrary<T>) => a.map((v) => JSON.parse(JSON.stringify(v)) as unknown);

describe('lean validators agree with the zod schemas', () => {
  it('snapshot header', () => {
    const good = {
      format: fc.constant('esc-kv-snapshot'),
      version: fc.constantFrom(1, 2, 3, 4),
      generation: fc.nat(),
      createdAt: fc.string(),
      keys: fc.nat(),
      bytes: fc.nat(),
      journalFrom: json(nearly({ generation: fc.nat(), offset: fc.nat() })),
    };
    fc.assert(
      fc.property(fc.oneof(json(nearly(good)), fc.jsonValue()), (v) => {
        expect(isSnapshotHeader(v)).toBe(snapshotHeaderSchema.safeParse(v).success);
      }),
      { numRuns: 2000 },
    );
  });
  it('snapshot entry', () => {
    const good = { value: fc.string(), expiresAt: fc.nat() };
    fc.assert(
      fc.property(fc.oneof(json(nearly(good)), fc.jsonValue()), (v) => {
        expect(isSnapshotEntry(v)).toBe(snapshotEntrySchema.safeParse(v).success);
      }),
      { numRuns: 2000 },
    );
  });
  it('snapshot entry, version 2 (with its line checksum)', () => {
    const good = {
      value: fc.string(),
      expiresAt: fc.nat(),
      c: fc.constantFrom('0123abcd', '0123ABCD', '0123abc', 'x'),
    };
    fc.assert(
      fc.property(fc.oneof(json(nearly(good)), fc.jsonValue()), (v) => {
        expect(isSnapshotEntryV2(v)).toBe(snapshotEntryV2Schema.safeParse(v).success);
      }),
      { numRuns: 2000 },
    );
  });
  it('journal header', () => {
    const good = { journal: fc.constant('esc-kv'), version: fc.constant(1), generation: fc.nat() };
    fc.assert(
      fc.property(fc.oneof(json(nearly(good)), fc.jsonValue()), (v) => {
        expect(isJournalHeader(v)).toBe(journalHeaderSchema.safeParse(v).success);
      }),
      { numRuns: 2000 },
    );
  });
  it('journal record', () => {
    const set = { op: fc.constant('set'), k: fc.string(), v: fc.string(), x: fc.option(fc.nat(), { nil: null }) };
    const del = { op: fc.constant('del'), k: fc.string() };
    const clear = { op: fc.constant('clear') };
    const keyRecord = fc.oneof(json(nearly(set)), json(nearly(del)), json(nearly(clear)));
    const batch = { op: fc.constant('batch'), ops: fc.array(keyRecord, { maxLength: 3 }) };
    fc.assert(
      fc.property(
        fc.oneof(json(nearly(set)), json(nearly(del)), json(nearly(clear)), json(nearly(batch)), fc.jsonValue()),
        (v) => {
          expect(isJournalRecord(v)).toBe(journalRecordSchema.safeParse(v).success);
        },
      ),
      { numRuns: 3000 },
    );
  });
});
