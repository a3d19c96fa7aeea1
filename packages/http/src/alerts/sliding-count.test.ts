import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SlidingCount } from './sliding-count.js';

describe('SlidingCount', () => {
  it('against a list of every match: exact up to the threshold, above it over by at most one bucket', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 12 }),
        fc.integer({ min: 1, max: 5000 }),
        fc.array(fc.integer({ min: 0, max: 400 }), { maxLength: 300 }),
        (threshold, windowMs, gaps) => {
          const counter = new SlidingCount(threshold, windowMs);
          const all: number[] = [];
          let now = 0;
          for (const [i, gap] of gaps.entries()) {
            now += gap;
            if (i % 3 !== 2) {
              counter.add(now, `e${i}`);
              all.push(now);
            }
            const truth = all.filter((t) => t > now - windowMs).length;
            const count = counter.count(now);
            if (truth <= threshold) expect(count).toBe(truth);
            else {
              expect(count).toBeGreaterThanOrEqual(truth);
              const bucket = Math.ceil(windowMs / 64);
              expect(count).toBeLessThanOrEqual(all.filter((t) => t > now - windowMs - bucket).length);
            }
            // The count falls below the threshold exactly when the oldest of the last `threshold` leaves.
            const at = counter.belowThresholdAt();
            if (truth >= threshold) expect(at).toBe(all[all.length - threshold]! + windowMs);
          }
        },
      ),
    );
  });

  it('holds at most `threshold` ids, whatever the flood', () => {
    const counter = new SlidingCount(3, 60_000);
    for (let i = 0; i < 100_000; i++) counter.add(i / 10, `e${i}`);
    expect(counter.count(10_000)).toBe(100_000);
    expect(counter.oldest()).toEqual({ at: 9999.7, id: 'e99997' });
    expect(counter.newest()).toEqual({ at: 9999.9, id: 'e99999' });
  });
});
