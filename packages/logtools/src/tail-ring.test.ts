import fc from 'fast-check';
import { naiveLastLines } from './test-helpers/naive-lines.js';
import { describe, expect, it } from 'vitest';
import { bytesDiff } from '@esc/test-fixtures';
import { TailRing } from './tail-ring.js';

/** Cuts `data` into pieces at the given (sorted, deduplicated) cut points. */
function cut(data: Buffer, points: number[]): Buffer[] {
  const sorted = [...new Set(points.map((p) => p % (data.length + 1)))].sort((a, b) => a - b);
  const pieces: Buffer[] = [];
  let prev = 0;
  for (const p of [...sorted, data.length]) {
    pieces.push(data.subarray(prev, p));
    prev = p;
  }
  return pieces;
}

const content = fc
  .array(fc.oneof(fc.constant(10), fc.constant(10), fc.integer({ min: 0, max: 255 })), { maxLength: 300 })
  .map((bytes) => Buffer.from(bytes));
const cuts = fc.array(fc.nat(), { maxLength: 40 });

describe('TailRing', () => {
  it('keeps the last N lines of a stream cut anywhere, like a naive split', () => {
    fc.assert(
      fc.property(content, cuts, fc.integer({ min: 0, max: 25 }), (data, points, n) => {
        const ring = new TailRing(n, 'lines');
        for (const piece of cut(data, points)) ring.push(piece);
        expect(bytesDiff(Buffer.concat(ring.contents()), naiveLastLines(data, n))).toBeNull();
      }),
      { numRuns: 500 },
    );
  });

  it('keeps the last N bytes', () => {
    fc.assert(
      fc.property(content, cuts, fc.integer({ min: 0, max: 320 }), (data, points, n) => {
        const ring = new TailRing(n, 'bytes');
        for (const piece of cut(data, points)) ring.push(piece);
        expect(bytesDiff(Buffer.concat(ring.contents()), data.subarray(Math.max(0, data.length - n)))).toBeNull();
      }),
      { numRuns: 500 },
    );
  });

  it('stays bounded: a long stream keeps about N lines plus a MiB or two, not the stream', () => {
    const ring = new TailRing(3, 'lines');
    const chunk = Buffer.from('0123456789\n'.repeat(6000));
    for (let i = 0; i < 2000; i++) ring.push(chunk);
    expect(Buffer.concat(ring.contents()).toString()).toBe('0123456789\n'.repeat(3));
    // Private state is inspected on purpose: the bound is the point of the class.
    expect((ring as unknown as { keptBytes: number }).keptBytes).toBeLessThanOrEqual(4 * 1024 * 1024);
  });
});
