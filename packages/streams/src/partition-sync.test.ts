import { describe, expect, it } from 'vitest';
import { syncPartition } from './partition-sync.js';
import { useTempDirs } from './test-helpers/temp-dirs.js';
import { openStreams } from './topic-store.js';

const tempDir = useTempDirs('partition-sync');

describe('syncPartition', () => {
  it('fdatasyncs the active segment of a partition and ignores a partition without segments or a deleted topic', async () => {
    const store = openStreams(tempDir(), { onWarning: () => undefined });
    try {
      store.createTopic('t');
      await expect(syncPartition(store.partitionDir('t', 0))).resolves.toBeUndefined();
      await store.append('t', [{ value: 'a' }, { value: 'b' }]);
      const dir = store.partitionDir('t', 0);
      await expect(syncPartition(dir)).resolves.toBeUndefined();
      await store.deleteTopic('t');
      await expect(syncPartition(dir)).resolves.toBeUndefined();
    } finally {
      await store.close();
    }
  });
});
