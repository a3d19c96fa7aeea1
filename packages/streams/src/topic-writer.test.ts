import { describe, expect, it } from 'vitest';
import { TopicWriter } from './topic-writer.js';

/** A writer with no partitions (appends of no batches) whose lease has always run out (leaseMs 0). */
function writerWith(othersWaiting: () => boolean) {
  const calls = { locks: 0, releases: 0, groups: 0 };
  const writer = new TopicWriter({
    logs: () => [],
    lock: async () => {
      calls.locks++;
      return async () => {
        calls.releases++;
      };
    },
    clock: () => 0,
    beforeGroup: () => {
      calls.groups++;
    },
    leaseMs: 0,
    othersWaiting,
  });
  return { writer, calls };
}

describe('TopicWriter leases', () => {
  it('keeps the lock past its lease while nobody waits for it: one acquisition for appends awaited one by one', async () => {
    const { writer, calls } = writerWith(() => false);
    for (let i = 0; i < 5; i++) await writer.submit(0, [], 0, 'none');
    expect(calls.locks).toBe(1);
    await writer.close();
    expect(calls.releases).toBe(1);
  });

  it('lets the lock go at the end of each lease while another writer waits', async () => {
    const { writer, calls } = writerWith(() => true);
    for (let i = 0; i < 5; i++) await writer.submit(0, [], 0, 'none');
    await writer.close();
    expect(calls.locks).toBe(5);
    expect(calls.releases).toBe(5);
    // Each fresh acquisition re-reads what another process may have changed.
    expect(calls.groups).toBe(5);
  });
});
