import fc from 'fast-check';
import { naiveLastLines } from './test-helpers/naive-lines.js';
import { describe, expect, it } from 'vitest';
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
        expect(Buffer.concat(ring.contents()).equals(naiveLastLines(data, n))).toBe(true);
      }),
      { numRuns: 500 },
    );
  });

  it('keeps the last N bytes', () => {
    fc.assert(
      fc.property(content, cuts, fc.integer({ min: 0, max: 320 }), (data, points, n) => {
        const ring = new TailRing(n, 'bytes');
        for (const piece of cut(data, points)) ring.push(piece);
        expect(Buffer.concat(ring.contents()).equals(data.subarray(Math.max(0, data.length - n)))).toBe(true);
      }),
      { numRuns: 500 },
    );
  });

  it('stays bounded: memory holds about N lines plus one chunk, not the stream', () => {
    const ring = new TailRing(3, 'lines');
    const chunk = Buffer.from('0123456789\n'.repeat(100));
    for (let i = 0; i < 10_000; i++) ring.push(chunk);
    const kept = ring.contents();
    expect(Buffer.concat(kept).toString()).toBe('0123456789\n'.repeat(3));
    // Private state is inspected on purpose: the bound is the point of the class.
    const live = (ring as unknown as { chunks: Buffer[]; head: number }).chunks.length - (ring as unknown as { head: number }).head;
    expect(live).toBeLessThanOrEqual(2);
  });
});
