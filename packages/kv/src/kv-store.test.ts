import * as fs from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it, vi } from 'vitest';
import { openKv, type KvStore } from './index.js';
import { manualClock, tempStore } from './test-helpers/temp-store.js';

// Every fdatasync the store makes, counted (and still made): the group-commit test checks that callers share them.
vi.mock('node:fs', async (importOriginal) => {
  const actual = await importOriginal<typeof import('node:fs')>();
  return { ...actual, fdatasyncSync: vi.fn((fd: number) => actual.fdatasyncSync(fd)) };
});
const fdatasyncs = () => vi.mocked(fs.fdatasyncSync).mock.calls.length;

// The store against a plain Map model: random operations, random clock moves, compactions and reopens.
type Model = Map<string, { value: string; expiresAt: number | null }>;

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

function live(m: Model, k: string, now: number) {
  const e = m.get(k);
  if (e && e.expiresAt !== null && e.expiresAt <= now) {
    m.delete(k);
    return undefined;
  }
  return e;
}

describe('KvStore against a Map model', () => {
  it('agrees on every answer and on the final contents', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(op, { minLength: 5, maxLength: 60, size: 'max' }), async (ops) => {
        const store = tempStore();
        const clock = manualClock();
        // compactMinBytes 0: compaction happens often, so replays across generations are exercised.
        const open = () => openKv(store.path, { clock: clock.now, compactMinBytes: 0, compactRatio: 0.5 });
        let kv: KvStore = await open();
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

  it('a second store object in the same process sees the first one’s writes (no stale cache)', async () => {
    const store = tempStore();
    const a = await openKv(store.path, { compactMinBytes: 0 });
    const b = await openKv(store.path, { compactMinBytes: 0 });
    try {
      await a.set('x', '1');
      expect(await b.get('x')).toBe('1');
      await b.incrby('x');
      await a.compact();
      expect(await b.get('x')).toBe('2');
      await b.set('y', 'z');
      expect(await a.mget(['x', 'y', 'q'])).toEqual(['2', 'z', null]);
    } finally {
      await a.close();
      await b.close();
      store.cleanup();
    }
  });
});
