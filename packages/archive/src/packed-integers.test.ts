import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ByteWriter } from './byte-buffer.js';
import { readPacked, shouldPack, writePacked } from './packed-integers.js';

function packAndRead(values: number[], min: number, range: number): { read: number[]; bytes: number } {
  const out = new ByteWriter(16);
  const bytes = writePacked(values, min, range, out);
  expect(bytes).toBe(out.length);
  const read = new Float64Array(values.length);
  readPacked(values.length, min, range, out.result(), read);
  return { read: Array.from(read), bytes };
}

describe('packed integers', () => {
  it.each([1, 2, 3, 255, 256, 257, 20_000, 2 ** 24 - 1, 2 ** 24 + 1, 2 ** 32 + 7, 2e10, 2 ** 52])(
    'round-trip values over a range of %d, in about log2(range) bits each',
    (range) => {
      const min = -Math.floor(range / 3) || 0;
      // Truncated binary: k bits below `short`, k + 1 from there, the column padded to a byte.
      const k = range <= 1 ? 0 : Math.floor(Math.log2(range));
      const short = 2 ** (k + 1) - range;
      const size = (vs: number[]) => Math.ceil(vs.reduce((n, v) => n + (v - min < short ? k : k + 1), 0) / 8);
      const random = [min, min + range - 1];
      for (let i = 0; i < 1000; i++) random.push(min + Math.floor(Math.random() * range));
      const { read, bytes } = packAndRead(random, min, range);
      expect(read).toEqual(random);
      expect(bytes).toBe(size(random));
      // Values spread evenly over the range, the uniform case without the luck of a draw (a bound on random ones
      // failed about 1 run in 80 at a range of 20,000): within 0.1 bit a value of log2(range).
      const even = Array.from({ length: 1000 }, (_, i) => min + Math.floor(((i + 0.5) * range) / 1000));
      const spread = packAndRead(even, min, range);
      expect(spread.read).toEqual(even);
      expect(spread.bytes).toBe(size(even));
      expect(spread.bytes * 8).toBeLessThanOrEqual(Math.ceil(even.length * (Math.log2(range) + 0.1)) + 8);
    },
  );

  it('round-trip any integers between their least and largest (property)', () => {
    const values = fc.array(fc.integer({ min: -(2 ** 40), max: 2 ** 40 }), { minLength: 1, maxLength: 200 });
    fc.assert(
      fc.property(values, (vs) => {
        const min = Math.min(...vs);
        expect(packAndRead(vs, min, Math.max(...vs) - min + 1).read).toEqual(vs);
      }),
      { numRuns: 500 },
    );
  });

  it('refuse packed bytes too short for the values', () => {
    const out = new ByteWriter(16);
    writePacked([5, 6, 7, 1000], 0, 1001, out);
    expect(() => readPacked(4, 0, 1001, out.result().subarray(0, 3), new Float64Array(4))).toThrow(/beyond/);
  });

  const zigzag = (vs: number[]) => vs.map((v) => (v >= 0 ? v * 2 : -v * 2 - 1));
  it('are chosen for random values, not for skewed, repeating or short columns', () => {
    const random = Array.from({ length: 5000 }, () => Math.floor(Math.random() * 32768));
    expect(shouldPack(random, 32768, zigzag(random), 2)).toBe(true);
    // Mostly small with rare large values: the planes' entropy is far below 16 bits a value.
    const skewed = random.map((v) => (v % 50 === 0 ? v : v % 4));
    expect(shouldPack(skewed, 32768, zigzag(skewed), 2)).toBe(false);
    // Random values, each repeated: brotli's matches halve them.
    const runs = random.map((_, i) => random[i - (i % 2)]!);
    expect(shouldPack(runs, 32768, zigzag(runs), 2)).toBe(false);
    const short = random.slice(0, 40);
    expect(shouldPack(short, 32768, zigzag(short), 2)).toBe(false);
  });
});
