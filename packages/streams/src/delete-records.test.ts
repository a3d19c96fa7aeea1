import { describe, expect, it } from 'vitest';
import { deleteSegmentsBelow } from './delete-records.js';
import { useTempDirs } from './test-helpers/temp-dirs.js';
import { openStreams } from './topic-store.js';

const tempDir = useTempDirs('delete-records');

describe('deleteSegmentsBelow', () => {
  it('deletes the closed segments wholly below an offset, never the active one, and reads go on from there', async () => {
    const store = openStreams(tempDir(), { onWarning: () => undefined });
    try {
      store.createTopic('t', { segmentBytes: 400 });
      for (let i = 0; i < 100; i++) await store.append('t', [{ value: `value-${String(i).padStart(3, '0')}` }]);
      const dir = store.partitionDir('t', 0);
      const before = store.describeTopic('t').partitions[0]!;
      expect(before.segments).toBeGreaterThan(5);
      expect(deleteSegmentsBelow(dir, 0)).toEqual([]);
      const deleted = deleteSegmentsBelow(dir, 45);
      expect(deleted.length).toBeGreaterThan(0);
      const { earliest, next } = store.bounds('t', 0);
      expect(earliest).toBeLessThanOrEqual(45);
      expect(earliest).toBeGreaterThan(Math.max(...deleted));
      expect(next).toBe(100);
      // Every segment that is gone held only offsets below 45; the one holding 45 is there.
      const records = await store.readAll('t', 0, 45);
      expect(records.map((r) => r.value!.toString())).toEqual(
        Array.from({ length: 55 }, (_, k) => `value-${String(45 + k).padStart(3, '0')}`),
      );
      expect((await store.readAll('t', 0, 'earliest'))[0]!.offset).toBe(earliest);
      // Past the end: everything but the active segment goes; the next offset stays.
      deleteSegmentsBelow(dir, 1000);
      expect(store.describeTopic('t').partitions[0]!.segments).toBe(1);
      expect(store.bounds('t', 0).next).toBe(100);
      await store.append('t', [{ value: 'after' }]);
      expect(store.bounds('t', 0).next).toBe(101);
    } finally {
      await store.close();
    }
  });
});
