import { describe, expect, it } from 'vitest';
import { until } from './until.js';

describe('until', () => {
  it("resolves with the probe's first truthy value, sync or async", async () => {
    let calls = 0;
    expect(await until(() => ++calls >= 3 && `after ${calls}`, 1000, 1)).toBe('after 3');
    expect(await until(async () => 42)).toBe(42);
  });

  it('fails once the deadline has passed, naming the probe', async () => {
    const started = Date.now();
    await expect(until(() => false, 50, 5)).rejects.toThrow(/not true within 50 ms: \(\) => false/);
    expect(Date.now() - started).toBeGreaterThanOrEqual(50);
  });
});
