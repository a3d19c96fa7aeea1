import { existsSync, readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { openKv } from './kv-store.js';
import { openLiveKv, type KvLiveTransaction } from './live-store.js';
import { manualClock, tempStore } from './test-helpers/temp-store.js';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function live(options: Parameters<typeof openLiveKv>[1] = {}) {
  const t = tempStore();
  cleanups.push(t.cleanup);
  const store = await openLiveKv(t.path, { onWarning: () => undefined, ...options });
  cleanups.push(() => store.close());
  return { store, path: t.path };
}

const setKey = (k: string, v: string) => (tx: KvLiveTransaction) => tx.set(k, v, null);
const getKey = (k: string) => (tx: KvLiveTransaction) => tx.get(k)?.value ?? null;

describe('LiveKvStore', () => {
  for (const sync of ['none', 'batch', 'always'] as const) {
    it(`a change acknowledged with sync=${sync} is in the files for another process`, async () => {
      const { store, path } = await live({ sync });
      await store.write(setKey('a', '1'));
      const other = await openKv(path);
      expect(await other.get('a')).toBe('1');
      await other.close();
    });
  }

  it('sees what another process wrote, on the next read turn, and keeps it under its own writes', async () => {
    const { store, path } = await live();
    const other = await openKv(path);
    await other.set('x', 'from-cli');
    await new Promise((r) => setImmediate(r));
    expect(await store.read(getKey('x'))).toBe('from-cli');
    await store.write(setKey('y', 'from-server'));
    await other.set('x', 'again');
    await new Promise((r) => setTimeout(r, 60)); // past the lease: the next write catches up under the lock
    await store.write(setKey('z', '1'));
    expect(await store.read(getKey('x'))).toBe('again');
    expect(await other.get('y')).toBe('from-server');
    await other.close();
  });

  it('keeps command order: a read given after a change waiting for the lock sees the change', async () => {
    const { store } = await live();
    const w = store.write(setKey('k', 'v'));
    const r = store.read(getKey('k'));
    expect(r).toBeInstanceOf(Promise);
    expect(await r).toBe('v');
    await w;
    // With the lease held, both run at once, in order.
    const w2 = store.write(setKey('k', 'v2'));
    expect(store.read(getKey('k'))).toBe('v2');
    await w2;
  });

  it('a change that changes nothing returns at once', async () => {
    const { store } = await live();
    await store.write(setKey('k', 'v'));
    expect(store.write((tx) => tx.del('missing'))).toBe(false);
  });

  it('shares the counter with another process incrementing at the same time: no increment lost', async () => {
    const { store, path } = await live({ leaseMs: 5 });
    const other = await openKv(path, { lockWaitMs: 60_000 });
    const incr = (tx: KvLiveTransaction) => {
      const n = Number(tx.get('n')?.value ?? '0') + 1;
      tx.set('n', String(n), null);
      return n;
    };
    const ours: Promise<unknown>[] = [];
    const theirs: Promise<bigint>[] = [];
    for (let i = 0; i < 100; i++) {
      ours.push(Promise.resolve(store.write(incr)));
      theirs.push(other.incrby('n'));
      if (i % 10 === 0) await new Promise((r) => setTimeout(r, 2));
    }
    await Promise.all([...ours, ...theirs]);
    expect(await other.get('n')).toBe('200');
    await new Promise((r) => setImmediate(r));
    expect(await store.read(getKey('n'))).toBe('200');
    await other.close();
  });

  it('compacts as the journal grows, and a fresh process reads the same keys', async () => {
    const { store, path } = await live({ journalMaxBytes: 4096, compactMinBytes: 1024 });
    const writes: unknown[] = [];
    for (let i = 0; i < 500; i++) writes.push(store.write(setKey(`k${i % 50}`, `v${i}`)));
    await Promise.all(writes);
    // A compaction writes its files in the background while changes go on being appended and acknowledged.
    await store.write(setKey('last', 'x'));
    const other = await openKv(path);
    expect(await other.mget(['k0', 'k49', 'last'])).toEqual(['v450', 'v499', 'x']);
    expect(await other.keys()).toHaveLength(51);
    await other.close();
    while (store.fileInfo().generation === 0) await new Promise((r) => setTimeout(r, 5));
    await store.write(setKey('after', 'y'));
    const fresh = await openKv(path);
    expect(await fresh.mget(['k0', 'k49', 'last', 'after'])).toEqual(['v450', 'v499', 'x', 'y']);
    await fresh.verify();
    await fresh.close();
  });

  for (const sync of ['none', 'batch', 'always'] as const) {
    it(`every acknowledged change is readable by a fresh process at every moment of compactions (sync=${sync})`, async () => {
      const { store, path } = await live({ sync, journalMaxBytes: 2048, compactMinBytes: 1024 });
      let generation = 0;
      // Compactions run in the background, at the disk's pace: go on until three have completed.
      for (let round = 0; round < 3000 && generation < 3; round++) {
        const writes: unknown[] = [];
        for (let i = 0; i < 20; i++) writes.push(store.write(setKey(`k${i}`, `r${round}`)));
        await Promise.all(writes);
        // Another process, reading without the lock while a compaction may be half way.
        const other = await openKv(path);
        expect(await other.mget(['k0', 'k19'])).toEqual([`r${round}`, `r${round}`]);
        await other.close();
        generation = store.fileInfo().generation;
        await new Promise((r) => setTimeout(r, 2));
      }
      expect(generation).toBeGreaterThanOrEqual(3);
      await store.close();
      const reopened = await openKv(path);
      await reopened.verify();
      await reopened.close();
    });
  }

  it('journals the changes of one operation as one line', async () => {
    const { store, path } = await live();
    await store.write((tx) => {
      tx.set('a', '1', null);
      tx.set('b', '2', null);
      tx.del('a');
    });
    const journal = readFileSync(`${path}.journal`, 'utf8').trim().split('\n');
    expect(journal).toHaveLength(2);
    expect(journal[1]).toContain('"r":{"op":"batch","ops":[{"op":"set","k":"a"');
    const other = await openKv(path);
    expect(await other.mget(['a', 'b'])).toEqual([null, '2']);
    await other.close();
  });

  it('journals the changes a command made before it threw, as a line of their own', async () => {
    const { store, path } = await live();
    await store.write(setKey('a', '1'));
    const throwing = (tx: KvLiveTransaction) => {
      tx.set('b', '2', null);
      tx.set('c', '3', null);
      throw new Error('boom');
    };
    // Thrown at once while the store holds the lock, a rejection when the change had to wait for it.
    const attempt = (() => {
      try {
        return Promise.resolve(store.write(throwing));
      } catch (err) {
        return Promise.reject(err);
      }
    })();
    await expect(attempt).rejects.toThrow('boom');
    await store.write(setKey('d', '4'));
    const journal = readFileSync(`${path}.journal`, 'utf8').trim().split('\n');
    expect(journal).toHaveLength(4);
    expect(journal[2]).toContain('"r":{"op":"batch","ops":[{"op":"set","k":"b"');
    const other = await openKv(path);
    expect(await other.mget(['a', 'b', 'c', 'd'])).toEqual(['1', '2', '3', '4']);
    await other.close();
  });

  it('counts live keys and expiries with its clock; lets go of the lock on close', async () => {
    const clock = manualClock();
    const { store, path } = await live({ clock: clock.now });
    await store.write((tx) => {
      tx.set('a', '1', clock.now() + 10_000);
      tx.set('b', '1', clock.now() + 20_000);
      tx.set('c', '1', null);
    });
    expect(store.counts()).toEqual({ keys: 3, expires: 2, avgTtl: 15_000 });
    clock.advance(12_000);
    expect(store.counts()).toEqual({ keys: 2, expires: 1, avgTtl: 8_000 });
    await store.close();
    expect(existsSync(`${path}.lock`)).toBe(false);
  });

  it('refuses changes once closed', async () => {
    const { store } = await live();
    await store.close();
    expect(() => store.write(setKey('a', '1'))).toThrow(/closed/);
  });
});
