import { afterEach, describe, expect, it, vi } from 'vitest';

const synced: string[] = [];
vi.mock('@esc/streams', () => ({
  syncPartition: async (dir: string) => {
    synced.push(dir);
  },
}));
const { BackgroundSync } = await import('./background-sync.js');

describe('BackgroundSync (--sync batch)', () => {
  afterEach(() => {
    vi.useRealTimers();
    synced.length = 0;
  });

  it('syncs a written partition once within a second, however many appends, and not when idle', async () => {
    vi.useFakeTimers();
    const sync = new BackgroundSync('/d/logs/0');
    for (let i = 0; i < 100; i++) sync.written();
    await vi.advanceTimersByTimeAsync(999);
    expect(synced).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(synced).toEqual(['/d/logs/0']);
    await vi.advanceTimersByTimeAsync(5000);
    expect(synced).toEqual(['/d/logs/0']);
    sync.written();
    await vi.advanceTimersByTimeAsync(1000);
    expect(synced).toHaveLength(2);
  });

  it('syncs what is pending at close, and nothing when nothing is', async () => {
    const sync = new BackgroundSync('/d/logs/0');
    await sync.close();
    expect(synced).toEqual([]);
    sync.written();
    await sync.close();
    expect(synced).toEqual(['/d/logs/0']);
  });
});
