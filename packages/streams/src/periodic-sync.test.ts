import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';

const synced: string[] = [];
vi.mock('./partition-sync.js', () => ({
  syncPartition: async (dir: string) => {
    if (dir.includes('gone')) throw new Error('ENOENT');
    synced.push(dir);
  },
}));
const { PeriodicSync } = await import('./periodic-sync.js');

afterEach(() => {
  synced.length = 0;
  vi.useRealTimers();
});

describe('PeriodicSync', () => {
  it('syncs each partition written since its last run once, one interval after the first write', async () => {
    vi.useFakeTimers();
    const sync = new PeriodicSync('/d', 1000);
    sync.written('a');
    sync.written('a');
    sync.written('b', 2);
    await vi.advanceTimersByTimeAsync(999);
    expect(synced).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(synced.sort()).toEqual([join('/d', 'a', '0'), join('/d', 'b', '2')]);
    await vi.advanceTimersByTimeAsync(5000);
    expect(synced).toHaveLength(2);
  });

  it('syncs at once on syncNow, and a failing partition (a deleted topic) fails nothing', async () => {
    const sync = new PeriodicSync('/d');
    sync.written('gone');
    sync.written('c');
    await expect(sync.syncNow()).resolves.toBeUndefined();
    expect(synced).toEqual([join('/d', 'c', '0')]);
    await sync.syncNow();
    expect(synced).toHaveLength(1);
  });
});
