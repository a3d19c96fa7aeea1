import * as fs from 'node:fs';
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { bytesToKvString, openKv, type KeyValueStore } from './index.js';
import { KV_BACKENDS, useKvBackends } from './test-helpers/kv-backends.js';
import { live, type Model } from './test-helpers/kv-model.js';
import { manualClock, tempStore } from './test-helpers/temp-store.js';

// Every fdatasync the store makes, counted (and still made): the group-commit test checks that callers share them.
vi.mock('node:fs', async (importOriginal) => {
  const actual = await importOriginal<typeof import('node:fs')>();
  return { ...actual, fdatasyncSync: vi.fn((fd: number) => actual.fdatasyncSync(fd)) };
});
const fdatasyncs = () => vi.mocked(fs.fdatasyncSync).mock.calls.length;

// The store against a plain Map model: random operations, random clock moves, compactions and reopens.

// Integer-like keys (JavaScript objects order them first), a quote, a non-ASCII and the empty key: the sorted
// snapshot and its binary search must agree with the model for every kind of key.
const key = fc.constantFrom('a', 'b', 'c', 'd', 'key:9', 'key:10', '10', '9', 'a"b', 'é', '');
const value = fc.oneof(fc.integer({ min: -5, max: 5 }).map(String), fc.string({ maxLength: 6 }));
const op = fc.oneof(
  {
    arbitrary: fc.record({
      t: fc.constant('set' as const),
      k: key,
      v: value,
      ex: fc.option(fc.integer({ min: 1, max: 20 }), { nil: undefined }),
      keepttl: fc.boolean(),
      cond: fc.constantFrom(undefined, 'nx', 'xx'),
    }),
    weight: 3,
  },
  fc.record({
    t: fc.constant('set' as const),
    k: key,
    v: value,
    ex: fc.option(fc.integer({ min: 1, max: 20 }), { nil: undefined }),
    keepttl: fc.boolean(),
    cond: fc.constantFrom(undefined, 'nx', 'xx'),
  }),
  fc.record({ t: fc.constant('get' as const), k: key }),
  fc.record({ t: fc.constant('del' as const), k: key }),
  fc.record({ t: fc.constant('incr' as const), k: key, by: fc.integer({ min: -3, max: 3 }) }),
  {
    arbitrary: fc.record({
      t: fc.constant('expire' as const),
      k: key,
      s: fc.integer({ min: -2, max: 20 }),
      cond: fc.constantFrom(undefined, 'nx', 'xx', 'gt', 'lt'),
    }),
    weight: 2,
  },
  fc.record({ t: fc.constant('persist' as const), k: key }),
  fc.record({ t: fc.constant('ttl' as const), k: key }),
  fc.record({ t: fc.constant('tick' as const), ms: fc.integer({ min: 0, max: 8000 }) }),
  fc.record({ t: fc.constant('clear' as const) }),
  fc.record({ t: fc.constant('compact' as const) }),
  fc.record({ t: fc.constant('reopen' as const) }),
);

describe('KvStore against a Map model', () => {
  it('agrees on every answer and on the final contents', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(op, { minLength: 5, maxLength: 60, size: 'max' }), async (ops) => {
        const store = tempStore();
        const clock = manualClock();
        // compactMinBytes 0: compaction happens often, so replays across generations are exercised.
        const open = () => openKv(store.path, { clock: clock.now, compactMinBytes: 0, compactRatio: 0.5 });
        let kv: KeyValueStore = await open();
        const m: Model = new Map();
        try {
          for (const o of ops) {
            const now = clock.now();
            switch (o.t) {
              case 'set': {
                const old = live(m, o.k, now);
                const blocked = (o.cond === 'nx' && old) || (o.cond === 'xx' && !old);
                const opts = o.ex !== undefined ? { ex: o.ex } : o.keepttl ? { keepttl: true } : {};
                const r = await kv.set(o.k, o.v, { ...opts, nx: o.cond === 'nx', xx: o.cond === 'xx' });
                expect(r).toEqual({ written: !blocked, previous: old?.value ?? null });
                if (!blocked)
                  m.set(o.k, {
                    value: o.v,
                    expiresAt: o.ex !== undefined ? now + o.ex * 1000 : o.keepttl ? (old?.expiresAt ?? null) : null,
                  });
                break;
              }
              case 'get':
                expect(await kv.get(o.k)).toBe(live(m, o.k, now)?.value ?? null);
                break;
              case 'del':
                expect(await kv.del([o.k])).toBe(live(m, o.k, now) ? 1 : 0);
                m.delete(o.k);
                break;
              case 'incr': {
                const old = live(m, o.k, now);
                if (old && !/^-?(0|[1-9]\d*)$/.test(old.value)) {
                  await expect(kv.incrby(o.k, o.by)).rejects.toThrow(/not an integer/);
                } else {
                  const next = BigInt(old?.value ?? '0') + BigInt(o.by);
                  expect(await kv.incrby(o.k, o.by)).toBe(next);
                  m.set(o.k, { value: next.toString(), expiresAt: old?.expiresAt ?? null });
                }
                break;
              }
              case 'expire': {
                const old = live(m, o.k, now);
                const at = now + o.s * 1000;
                const cur = old?.expiresAt ?? null;
                const ok =
                  !!old &&
                  !(o.cond === 'nx' && cur !== null) &&
                  !(o.cond === 'xx' && cur === null) &&
                  !(o.cond === 'gt' && (cur === null || at <= cur)) &&
                  !(o.cond === 'lt' && cur !== null && at >= cur);
                expect(await kv.expire(o.k, o.s, o.cond ? [o.cond] : [])).toBe(ok);
                if (ok) {
                  if (at <= now) m.delete(o.k);
                  else m.set(o.k, { value: old!.value, expiresAt: at });
                }
                break;
              }
              case 'persist': {
                const old = live(m, o.k, now);
                expect(await kv.persist(o.k)).toBe(!!old && old.expiresAt !== null);
                if (old) old.expiresAt = null;
                break;
              }
              case 'ttl': {
                const old = live(m, o.k, now);
                expect(await kv.pttl(o.k)).toBe(
                  old === undefined ? -2 : old.expiresAt === null ? -1 : old.expiresAt - now,
                );
                break;
              }
              case 'tick':
                clock.advance(o.ms);
                break;
              case 'clear':
                await kv.clear();
                m.clear();
                break;
              case 'compact':
                await kv.compact();
                break;
              case 'reopen':
                await kv.close();
                kv = await open();
                break;
            }
          }
          const now = clock.now();
          const expected = [...m.keys()]
            .filter((k) => live(m, k, now))
            .sort()
            .map((k) => ({ key: k, value: m.get(k)!.value, expiresAt: m.get(k)!.expiresAt }));
          expect(await kv.items()).toEqual(expected);
          await kv.close();
          // A fresh store answers single gets by the binary search over the snapshot and the lazy journal read.
          for (const k of ['a', 'b', 'key:9', 'key:10', '10', '9', 'a"b', 'é', '', 'missing']) {
            const fresh = await open();
            expect(await fresh.get(k), k).toBe(expected.find((e) => e.key === k)?.value ?? null);
            await fresh.close();
          }
          kv = await open();
          expect(await kv.items()).toEqual(expected);
          await kv.verify();
        } finally {
          await kv.close();
          store.cleanup();
        }
      }),
      { numRuns: 80 },
    );
  });

  it('concurrent callers in one process share syncs and all land (group commit)', async () => {
    const store = tempStore();
    const kv = await openKv(store.path);
    try {
      await kv.set('warm-up', '1'); // the first change opens the journal (its header is synced too)
      const beforeSets = fdatasyncs();
      await Promise.all(Array.from({ length: 200 }, (_, i) => kv.set(`k${i}`, String(i))));
      const setSyncs = fdatasyncs() - beforeSets;
      await Promise.all(Array.from({ length: 100 }, () => kv.incrby('n')));
      const incrSyncs = fdatasyncs() - beforeSets - setSyncs;
      // Callers of one tick form one group: one append and one fdatasync for all of them (a few, at worst).
      expect(setSyncs).toBeGreaterThanOrEqual(1);
      expect(setSyncs).toBeLessThanOrEqual(5);
      expect(incrSyncs).toBeGreaterThanOrEqual(1);
      expect(incrSyncs).toBeLessThanOrEqual(5);
      expect(await kv.get('n')).toBe('100');
      expect((await kv.stats()).liveKeys).toBe(202);
      await kv.close();
      const again = await openKv(store.path);
      expect((await again.items()).length).toBe(202);
      expect(await again.get('k199')).toBe('199');
      expect(await again.get('n')).toBe('100');
      await again.close();
    } finally {
      store.cleanup();
    }
  });

  it('one caller awaiting each set in turn pays one fdatasync per set (the baseline group commit improves on)', async () => {
    const store = tempStore();
    const kv = await openKv(store.path);
    try {
      await kv.set('warm-up', '1');
      const before = fdatasyncs();
      for (let i = 0; i < 20; i++) await kv.set(`k${i}`, String(i));
      expect(fdatasyncs() - before).toBe(20);
    } finally {
      await kv.close();
      store.cleanup();
    }
  });
});

const backends = useKvBackends();

// The same behaviour on the embedded store, one redis-server and a Redis Cluster (3 masters, a replica each).
describe.each(KV_BACKENDS)('the kv API on %s', (name) => {
  let kv: KeyValueStore;
  beforeEach(async () => {
    ({ kv } = await backends.open(name));
  });
  afterEach(async () => {
    await kv.close();
  });

  it('a second store object in the same process sees the first one’s writes (no stale cache)', async () => {
    const b = await openKv(backends.target(name), { compactMinBytes: 0 });
    try {
      await kv.set('x', '1');
      expect(await b.get('x')).toBe('1');
      await b.incrby('x');
      if (name === 'embedded') await kv.compact();
      expect(await b.get('x')).toBe('2');
      await b.set('y', 'z');
      expect(await kv.mget(['x', 'y', 'q'])).toEqual(['2', 'z', null]);
    } finally {
      await b.close();
    }
  });

  it('concurrent callers all land', async () => {
    await Promise.all(Array.from({ length: 200 }, (_, i) => kv.set(`k${i}`, String(i))));
    await Promise.all(Array.from({ length: 100 }, () => kv.incrby('n')));
    expect(await kv.get('n')).toBe('100');
    expect((await kv.stats()).liveKeys).toBe(201);
    expect((await kv.items()).length).toBe(201);
    expect(await kv.get('k199')).toBe('199');
  });

  it('multi-key commands answer in the order asked, across hash slots', async () => {
    const keys = Array.from({ length: 40 }, (_, i) => `key:${i}`);
    await kv.mset(keys.map((k, i) => [k, `v${i}`] as const));
    expect(await kv.mget([...keys, 'missing', keys[0]!])).toEqual([...keys.map((_, i) => `v${i}`), null, 'v0']);
    // A key named twice counts twice in EXISTS, once in DEL, as in Redis.
    expect(await kv.exists(['key:1', 'key:1', 'key:2', 'nope'])).toBe(3);
    expect(await kv.del(['key:1', 'key:1', 'key:2', 'nope'])).toBe(2);
    expect(await kv.exists(['key:1', 'key:2'])).toBe(0);
    expect(await kv.mget([])).toEqual([]);
    expect(await kv.exists([])).toBe(0);
    // MSET clears a TTL, as a plain SET does.
    await kv.set('t', 'old', { ex: 100 });
    await kv.mset([['t', 'new']]);
    expect(await kv.ttl('t')).toBe(-1);
  });

  it('KEYS follows Redis globs over the whole keyspace, sorted; items lists every live key with its expiry', async () => {
    await kv.mset([
      ['user:1', 'a'],
      ['user:2', 'b'],
      ['user:10', 'c'],
      ['order:1', 'd'],
      ['u?er', 'e'],
      ['', 'empty key'],
    ]);
    await kv.set('session', 's', { pxat: 4_102_444_800_000 });
    expect(await kv.keys('user:*')).toEqual(['user:1', 'user:10', 'user:2']);
    expect(await kv.keys('user:?')).toEqual(['user:1', 'user:2']);
    expect(await kv.keys('[ou]*:1')).toEqual(['order:1', 'user:1']);
    expect(await kv.keys('u\\?er')).toEqual(['u?er']);
    expect(await kv.keys()).toEqual(['', 'order:1', 'session', 'u?er', 'user:1', 'user:10', 'user:2']);
    const items = await kv.items();
    expect(items.map((i) => i.key)).toEqual(await kv.keys());
    expect(items.find((i) => i.key === 'session')).toEqual({
      key: 'session',
      value: 's',
      expiresAt: 4_102_444_800_000,
    });
    expect(items.find((i) => i.key === '')).toEqual({ key: '', value: 'empty key', expiresAt: null });
  });

  it('keys and values are binary-safe: text, other scripts, and bytes that are not UTF-8', async () => {
    const binary = bytesToKvString(Buffer.from([0xff, 0x00, 0xc3, 0x28, 0x0a, 0x41]));
    const odd = ['é', '日本語', 'tab\tand\nnewline', 'emoji 🎉', binary, ' ', '{tag}a'];
    for (const k of odd) await kv.set(k, `${k}=${binary}`);
    for (const k of odd) expect(await kv.get(k)).toBe(`${k}=${binary}`);
    expect(await kv.mget(odd)).toEqual(odd.map((k) => `${k}=${binary}`));
    expect((await kv.keys()).sort()).toEqual([...odd].sort());
    expect(await kv.del(odd)).toBe(odd.length);
  });

  it('clear deletes every key; stats count what is left', async () => {
    await kv.mset(Array.from({ length: 30 }, (_, i) => [`c${i}`, 'x'] as const));
    await kv.set('ttl', 'x', { ex: 1000 });
    const before = await kv.stats();
    expect([before.liveKeys, before.keysWithTtl]).toEqual([31, 1]);
    await kv.clear();
    expect(await kv.keys()).toEqual([]);
    expect((await kv.stats()).liveKeys).toBe(0);
  });

  it('verify checks the store; compact writes a snapshot (embedded) or is refused (Redis compacts itself)', async () => {
    await kv.set('a', '1');
    await kv.verify();
    if (name === 'embedded') await kv.compact();
    else await expect(kv.compact()).rejects.toThrow(/compacts itself .*nothing to do/);
    expect(await kv.get('a')).toBe('1');
  });
});
