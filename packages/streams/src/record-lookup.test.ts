import { describe, expect, it } from 'vitest';
import { RecordLookup } from './record-lookup.js';
import { useTempDirs } from './test-helpers/temp-dirs.js';
import { openStreams } from './topic-store.js';

const tempDir = useTempDirs('lookup');

describe('RecordLookup', () => {
  it('reads any record by offset as the reader reads it, across batches and segments', async () => {
    const store = openStreams(tempDir(), { onWarning: () => {} });
    store.createTopic('t', { segmentBytes: 20_000, indexIntervalBytes: 512 });
    let n = 0;
    for (const size of [1, 7, 300, 1, 50, 999, 2, 120]) {
      const batch = Array.from({ length: size }, () => {
        const i = n++;
        return {
          key: i % 3 === 0 ? null : `k${i}`,
          value: `value ${i} ${'x'.repeat(i % 40)}`,
          headers: i % 5 ? [] : [{ key: 'h', value: `${i}` }],
        };
      });
      await store.append('t', batch);
    }
    const all = await store.readAll('t', 0);
    expect(all).toHaveLength(n);
    expect(store.describeTopic('t').partitions[0]!.segments).toBeGreaterThan(3);
    const lookup = new RecordLookup(store.partitionDir('t', 0));
    try {
      // In order, backwards, scattered and repeated: each answer is the record the reader returned.
      const offsets = [...all.keys(), ...[...all.keys()].reverse(), 5, 1000, 3, 1000, n - 1, 0];
      expect(lookup.get(offsets)).toEqual(offsets.map((o) => all[o]));
      // Not written yet: left out. Written later: found by the same lookup.
      expect(lookup.get([n, n + 5])).toEqual([]);
      await store.append('t', [{ value: 'late' }]);
      expect(lookup.get([n]).map((r) => r.value?.toString())).toEqual(['late']);
    } finally {
      lookup.close();
      await store.close();
    }
  });

  it('leaves out offsets whose segment retention deleted', async () => {
    let now = 1_000_000;
    const store = openStreams(tempDir(), { onWarning: () => {}, clock: () => now });
    store.createTopic('t', { segmentBytes: 2_000, retentionMs: 1000 });
    for (let i = 0; i < 100; i++) await store.append('t', [{ value: `v${i}`.padEnd(50, '.') }]);
    const lookup = new RecordLookup(store.partitionDir('t', 0));
    try {
      expect(lookup.get([0, 99]).map((r) => r.offset)).toEqual([0, 99]);
      now += 10_000;
      await store.applyRetention('t');
      const { earliest } = store.bounds('t', 0);
      expect(earliest).toBeGreaterThan(0);
      expect(lookup.get([0, earliest - 1, earliest, 99]).map((r) => r.offset)).toEqual([earliest, 99]);
    } finally {
      lookup.close();
      await store.close();
    }
  });
});
