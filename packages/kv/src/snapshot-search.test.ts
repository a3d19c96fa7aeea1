import { closeSync, openSync, writeFileSync } from 'node:fs';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { compareKeys } from './snapshot-format.js';
import { PositionalReader, searchSortedLines } from './snapshot-search.js';
import { tempStore } from './test-helpers/temp-store.js';

// The binary search against a linear scan: sorted lines of random lengths (some longer than a window), a
// prefix and a suffix around them, every present key found at its offset and every absent key missed.
describe('searchSortedLines', () => {
  const dir = tempStore();
  afterAll(() => dir.cleanup());

  it('finds exactly the lines a linear scan finds, whatever the line lengths and window size', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.string({ minLength: 1, maxLength: 6 }), { maxLength: 60 }),
        fc.array(fc.integer({ min: 0, max: 300 }), { minLength: 60, maxLength: 60 }),
        fc.constantFrom(8, 16, 64, 4096),
        fc.array(fc.string({ maxLength: 7 }), { maxLength: 10 }),
        (keys, padding, windowBytes, probes) => {
          const sorted = [...keys].sort(compareKeys);
          const prefix = 'header line\nsecond line\n';
          const lines = sorted.map((k, i) => `${JSON.stringify(k)}:${'x'.repeat(padding[i]!)}`);
          const text = `${prefix}${lines.map((l) => `${l}\n`).join('')}trailer\n`;
          writeFileSync(dir.path, text);
          const lo = Buffer.byteLength(prefix);
          const hi = Buffer.byteLength(text) - 'trailer\n'.length;
          const offsets = new Map<string, number>();
          let at = lo;
          sorted.forEach((k, i) => {
            offsets.set(k, at);
            at += Buffer.byteLength(lines[i]!) + 1;
          });
          const fd = openSync(dir.path, 'r');
          try {
            const reader = new PositionalReader(fd, dir.path, windowBytes);
            const keyOf = (line: { bytes: Buffer }) => {
              const text = line.bytes.toString('utf8');
              return JSON.parse(text.slice(0, text.lastIndexOf(':'))) as string;
            };
            for (const k of [...sorted, ...probes]) {
              const found = searchSortedLines(reader, lo, hi, k, keyOf, compareKeys);
              const expected = offsets.get(k);
              expect(found === null ? null : { start: found.start, key: keyOf(found) }, k).toEqual(
                expected === undefined ? null : { start: expected, key: k },
              );
            }
          } finally {
            closeSync(fd);
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});
