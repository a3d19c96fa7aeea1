import { describe, expect, it } from 'vitest';
import { BloomFilter, BloomFilterBuilder, optimalHashCount, theoreticalFpRate } from './bloom-filter.js';

function measure(bitsPerKey: number, n: number, probes: number): { fp: number; theory: number } {
  const b = new BloomFilterBuilder(bitsPerKey);
  for (let i = 0; i < n; i++) b.add(Buffer.from(`member-${i}`));
  const f = new BloomFilter(b.finish());
  let missing = 0;
  for (let i = 0; i < n; i++) if (!f.mayContain(Buffer.from(`member-${i}`))) missing++;
  expect(missing).toBe(0);
  let hits = 0;
  for (let i = 0; i < probes; i++) if (f.mayContain(Buffer.from(`stranger-${i}`))) hits++;
  return { fp: hits / probes, theory: theoreticalFpRate(bitsPerKey) };
}

describe('bloom filter', () => {
  it('has no false negatives and a false positive rate within 25% of theory at 10 bits per key', () => {
    expect(optimalHashCount(10)).toBe(7);
    const { fp, theory } = measure(10, 50_000, 200_000);
    expect(theory).toBeGreaterThan(0.008);
    expect(theory).toBeLessThan(0.0085);
    expect(Math.abs(fp - theory) / theory).toBeLessThan(0.25);
  });

  it('follows theory at other densities too', () => {
    // Densities whose expected false positive count over 100,000 probes is large enough (≥ 2,000) that 25% is many standard deviations.
    for (const bits of [4, 6, 8]) {
      const { fp, theory } = measure(bits, 20_000, 100_000);
      expect(Math.abs(fp - theory) / theory).toBeLessThan(0.25);
    }
  });

  it('rejects a malformed block', () => {
    expect(() => new BloomFilter(Buffer.from([7, 64, 0, 0, 0, 1]))).toThrow(RangeError);
  });
});
