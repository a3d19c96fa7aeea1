import { describe, expect, it } from 'vitest';
import { StateTopic } from './state-topic.js';
import { useTempDirs } from './test-helpers/temp-dirs.js';
import { openStreams } from './topic-store.js';

const tempDir = useTempDirs('state-topic');

describe('StateTopic', () => {
  it('keeps the latest value of each key, deletes on null, and reads back the same table after reopening', async () => {
    const dir = tempDir();
    const model = new Map<string, string>();
    const a = openStreams(dir, { onWarning: () => undefined });
    const table = new StateTopic(a, '__state');
    expect(await table.load()).toEqual(new Map());
    let seed = 7;
    for (let round = 0; round < 50; round++) {
      const changes = [];
      for (let i = 0; i < 5; i++) {
        seed = (seed * 1103515245 + 12345) % 2 ** 31;
        const key = `k${seed % 13}`;
        const value = seed % 4 === 0 ? null : `v${round}-${i}`;
        changes.push({ key, value });
        if (value === null) model.delete(key);
        else model.set(key, value);
      }
      await table.write(changes, round % 2 === 0 ? 'always' : 'none');
    }
    await a.close();
    const b = openStreams(dir, { onWarning: () => undefined });
    try {
      const loaded = await new StateTopic(b, '__state').load();
      expect(new Map([...loaded].map(([k, v]) => [k, v.toString()]))).toEqual(model);
      expect(b.topicConfig('__state').cleanupPolicy).toBe('compact');
      expect(b.listTopics()).toEqual([]);
    } finally {
      await b.close();
    }
  });
});
