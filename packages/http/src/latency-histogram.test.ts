import { Histogram, Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { LatencyHistogram } from './latency-histogram.js';

const BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];

describe('LatencyHistogram', () => {
  it("gives /metrics the same text and JSON as prom-client's Histogram for the same observations", async () => {
    const ours = new Registry();
    const theirs = new Registry();
    const fast = new LatencyHistogram('h_seconds', 'latency', BUCKETS, ours);
    const model = new Histogram({
      name: 'h_seconds',
      help: 'latency',
      labelNames: ['method', 'route', 'status'],
      buckets: BUCKETS,
      registers: [theirs],
    });
    const labelSets = [
      { method: 'POST', route: '/ingest', status: '200' },
      { method: 'GET', route: '/logs', status: '400' },
      { method: 'GET', route: 'a "quoted" \\ route', status: '200' },
    ];
    const observers = labelSets.map((l) => fast.child(l));
    let seed = 7;
    for (let i = 0; i < 5000; i++) {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      const k = seed % labelSets.length;
      // Values on the bucket bounds, between them and past the last one.
      const v = i % 10 === 0 ? BUCKETS[seed % BUCKETS.length]! : (seed % 4_000_000) / 1_000_000;
      observers[k]!(v);
      model.labels(labelSets[k]!).observe(v);
    }
    expect(await ours.metrics()).toBe(await theirs.metrics());
    expect(await ours.getMetricsAsJSON()).toEqual(await theirs.getMetricsAsJSON());
    ours.resetMetrics();
    theirs.resetMetrics();
    expect(await ours.metrics()).toBe(await theirs.metrics());
  });
});
