import { describe, expect, it, vi } from 'vitest';
import { CONSUMER_OFFSETS_TOPIC } from './consumer-offsets.js';
import { OffsetOutOfRangeError, UnknownTopicError } from './stream-errors.js';
import { useTempDirs } from './test-helpers/temp-dirs.js';
import { openStreams } from './topic-store.js';

const tempDir = useTempDirs('groups');

describe('consumer group offsets', () => {
  it('are committed to __consumer_offsets, seen by another store and restored after reopening', async () => {
    const dir = tempDir();
    const a = openStreams(dir, { onWarning: () => undefined });
    const b = openStreams(dir, { onWarning: () => undefined });
    try {
      a.createTopic('t', { partitions: 2 });
      await a.append(
        't',
        Array.from({ length: 10 }, (_, i) => ({ value: `${i}`, partition: i % 2 })),
      );
      expect(a.committed('g', 't', 0)).toBeNull();
      await a.commit('g', 't', 0, 3);
      await a.commit('g', 't', 1, 5);
      await a.commit('other', 't', 0, 1);
      await a.commit('g', 't', 0, 4);
      expect(a.committed('g', 't', 0)).toBe(4);
      expect(b.committed('g', 't', 0)).toBe(4);
      expect(b.committed('g', 't', 1)).toBe(5);
      expect(b.committed('other', 't', 0)).toBe(1);
      await expect(a.commit('g', 't', 0, 6)).rejects.toThrow(OffsetOutOfRangeError);
      expect(a.listTopics()).toEqual(['t']);
      expect(a.listTopics({ internal: true })).toEqual([CONSUMER_OFFSETS_TOPIC, 't']);
      expect(a.topicConfig(CONSUMER_OFFSETS_TOPIC).cleanupPolicy).toBe('compact');
    } finally {
      await a.close();
      await b.close();
    }
    const c = openStreams(dir, { onWarning: () => undefined });
    try {
      expect(c.committed('g', 't', 0)).toBe(4);
      expect(c.committed('g', 't', 1)).toBe(5);
      expect(c.committed('nobody', 't', 1)).toBeNull();
    } finally {
      await c.close();
    }
  });

  it('try to make the internal topic once per store, not at every commit, and again if it was deleted', async () => {
    const store = openStreams(tempDir(), { onWarning: () => undefined });
    try {
      store.createTopic('t');
      await store.append('t', [{ value: 'a' }, { value: 'b' }]);
      const createTopic = vi.spyOn(store, 'createTopic');
      for (let i = 0; i <= 2; i++) await store.commit('g', 't', 0, i);
      expect(createTopic).toHaveBeenCalledTimes(1);
      await store.deleteTopic(CONSUMER_OFFSETS_TOPIC);
      await expect(store.commit('g', 't', 0, 1)).rejects.toThrow(UnknownTopicError);
      await store.commit('g', 't', 0, 2);
      expect(createTopic).toHaveBeenCalledTimes(2);
      expect(store.committed('g', 't', 0)).toBe(2);
    } finally {
      await store.close();
    }
  });
});
