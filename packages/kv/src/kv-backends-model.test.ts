import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { KeyValueStore } from './index.js';
import { useKvBackends } from './test-helpers/kv-backends.js';
import { live, type Model } from './test-helpers/kv-model.js';

const backends = useKvBackends();

// A random command sequence on a Redis Cluster, on the embedded store and on the Map model: every answer and
// the final contents agree. Redis owns its clock (the embedded store's manual clock cannot move it), so time is
// real here and expiries are far away: absolute ones on a grid (a million ms apart) for the conditions, which
// compare exactly, and relative ones half-way between grid points; remaining times agree within SLACK_MS.
const SLACK_MS = 30_000;
const START = Date.now();
const grid = (k: number) => START + k * 1_000_000;

// Hash tags put {t}x and {t}y in one slot; the rest spread over the masters.
const keyArb = fc.constantFrom('a', 'b', 'c', 'key:9', 'key:10', '10', '9', 'a"b', 'é', '', '{t}x', '{t}y');
const valueArb = fc.oneof(
  fc.integer({ min: -5, max: 5 }).map(String),
  fc.constantFrom('-0', '007'),
  fc.string({ maxLength: 6 }),
);
const keysArb = fc.array(keyArb, { minLength: 1, maxLength: 4 });
const condArb = fc.constantFrom(undefined, 'nx', 'xx', 'gt', 'lt');
const opArb = fc.oneof(
  {
    arbitrary: fc.record({
      t: fc.constant('set' as const),
      k: keyArb,
      v: valueArb,
      expiry: fc.oneof(
        fc.constant(null),
        fc.record({ pxat: fc.integer({ min: 1, max: 8 }).map(grid) }),
        fc.record({ ex: fc.integer({ min: 1, max: 8 }).map((j) => j * 1000 + 500) }),
        fc.constant({ keepttl: true }),
      ),
      cond: fc.constantFrom(undefined, 'nx', 'xx'),
    }),
    weight: 4,
  },
  fc.record({ t: fc.constant('get' as const), k: keyArb }),
  fc.record({ t: fc.constant('mget' as const), ks: keysArb }),
  fc.record({
    t: fc.constant('mset' as const),
    kvs: fc.array(fc.tuple(keyArb, valueArb), { minLength: 1, maxLength: 3 }),
  }),
  fc.record({ t: fc.constant('del' as const), ks: keysArb }),
  fc.record({ t: fc.constant('exists' as const), ks: keysArb }),
  fc.record({ t: fc.constant('incr' as const), k: keyArb, by: fc.integer({ min: -3, max: 3 }) }),
  fc.record({
    t: fc.constant('expire' as const),
    k: keyArb,
    s: fc.oneof(
      fc.integer({ min: -2, max: 0 }),
      fc.integer({ min: 1, max: 8 }).map((j) => j * 1000 + 500),
    ),
  }),
  {
    arbitrary: fc.record({
      t: fc.constant('pexpireat' as const),
      k: keyArb,
      at: fc.integer({ min: 1, max: 8 }).map(grid),
      cond: condArb,
    }),
    weight: 2,
  },
  fc.record({ t: fc.constant('persist' as const), k: keyArb }),
  fc.record({ t: fc.constant('pttl' as const), k: keyArb }),
  fc.record({ t: fc.constant('keys' as const), pattern: fc.constantFrom('*', 'key:*', '?', '{t}*', '[ab]*', '1?') }),
  fc.record({ t: fc.constant('clear' as const) }),
);
type Op = typeof opArb extends fc.Arbitrary<infer T> ? T : never;

const isInteger = (v: string) => /^(0|-?[1-9]\d*)$/.test(v);

/** Runs `op` on the model; returns the answer every store must give (or an error pattern), or 'pttl' for a time. */
function applyToModel(m: Model, op: Op, now: number): { answer?: unknown; rejects?: RegExp; pttl?: number } {
  switch (op.t) {
    case 'set': {
      const old = live(m, op.k, now);
      const blocked = (op.cond === 'nx' && old) || (op.cond === 'xx' && !old);
      if (!blocked) {
        const e = op.expiry;
        const expiresAt =
          e === null ? null : 'pxat' in e ? e.pxat : 'ex' in e ? now + e.ex * 1000 : (old?.expiresAt ?? null);
        m.set(op.k, { value: op.v, expiresAt });
      }
      return { answer: { written: !blocked, previous: old?.value ?? null } };
    }
    case 'get':
      return { answer: live(m, op.k, now)?.value ?? null };
    case 'mget':
      return { answer: op.ks.map((k) => live(m, k, now)?.value ?? null) };
    case 'mset':
      for (const [k, v] of op.kvs) m.set(k, { value: v, expiresAt: null });
      return { answer: undefined };
    case 'del': {
      const n = new Set(op.ks.filter((k) => live(m, k, now))).size;
      for (const k of op.ks) m.delete(k);
      return { answer: n };
    }
    case 'exists':
      return { answer: op.ks.filter((k) => live(m, k, now)).length };
    case 'incr': {
      const old = live(m, op.k, now);
      if (old && !isInteger(old.value)) return { rejects: /not an integer/ };
      const next = BigInt(old?.value ?? '0') + BigInt(op.by);
      m.set(op.k, { value: next.toString(), expiresAt: old?.expiresAt ?? null });
      return { answer: next };
    }
    case 'expire': {
      const old = live(m, op.k, now);
      if (old) {
        if (op.s <= 0) m.delete(op.k);
        else old.expiresAt = now + op.s * 1000;
      }
      return { answer: !!old };
    }
    case 'pexpireat': {
      const old = live(m, op.k, now);
      const cur = old?.expiresAt ?? null;
      const ok =
        !!old &&
        !(op.cond === 'nx' && cur !== null) &&
        !(op.cond === 'xx' && cur === null) &&
        !(op.cond === 'gt' && (cur === null || op.at <= cur)) &&
        !(op.cond === 'lt' && cur !== null && op.at >= cur);
      if (ok) old!.expiresAt = op.at;
      return { answer: ok };
    }
    case 'persist': {
      const old = live(m, op.k, now);
      const had = !!old && old.expiresAt !== null;
      if (old) old.expiresAt = null;
      return { answer: had };
    }
    case 'pttl': {
      const old = live(m, op.k, now);
      return old === undefined
        ? { answer: -2 }
        : old.expiresAt === null
          ? { answer: -1 }
          : { pttl: old.expiresAt - now };
    }
    case 'keys': {
      // Redis matches bytes: `?` is one byte, so the model matches the keys' UTF-8 read as Latin-1.
      const re = new RegExp(`^${op.pattern.replace(/[{}]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`, 's');
      const bytes = (k: string) => Buffer.from(k, 'utf8').toString('latin1');
      return { answer: [...m.keys()].filter((k) => live(m, k, now) && re.test(bytes(k))).sort() };
    }
    case 'clear':
      m.clear();
      return { answer: undefined };
  }
}

async function applyToStore(kv: KeyValueStore, op: Op): Promise<unknown> {
  switch (op.t) {
    case 'set':
      return kv.set(op.k, op.v, { ...(op.expiry ?? {}), nx: op.cond === 'nx', xx: op.cond === 'xx' });
    case 'get':
      return kv.get(op.k);
    case 'mget':
      return kv.mget(op.ks);
    case 'mset':
      return kv.mset(op.kvs);
    case 'del':
      return kv.del(op.ks);
    case 'exists':
      return kv.exists(op.ks);
    case 'incr':
      return kv.incrby(op.k, op.by);
    case 'expire':
      return kv.expire(op.k, op.s);
    case 'pexpireat':
      return kv.pexpireat(op.k, op.at, op.cond ? [op.cond] : []);
    case 'persist':
      return kv.persist(op.k);
    case 'pttl':
      return kv.pttl(op.k);
    case 'keys':
      return kv.keys(op.pattern);
    case 'clear':
      return kv.clear();
  }
}

describe('redis-cluster://, the embedded store and a Map model', () => {
  it('agree on every answer and on the final contents', async () => {
    const { kv: embedded } = await backends.open('embedded');
    const { kv: cluster } = await backends.open('redis-cluster');
    try {
      await fc.assert(
        fc.asyncProperty(fc.array(opArb, { minLength: 5, maxLength: 50, size: 'max' }), async (ops) => {
          await embedded.clear();
          await cluster.clear();
          const m: Model = new Map();
          for (const op of ops) {
            const expected = applyToModel(m, op, Date.now());
            for (const [name, kv] of [
              ['embedded', embedded],
              ['redis-cluster', cluster],
            ] as const) {
              const what = `${name}: ${JSON.stringify(op)}`;
              if (expected.rejects) await expect(applyToStore(kv, op), what).rejects.toThrow(expected.rejects);
              else if (expected.pttl !== undefined) {
                const left = (await applyToStore(kv, op)) as number;
                expect(Math.abs(left - expected.pttl) <= SLACK_MS, `${what} → ${left}, model ${expected.pttl}`).toBe(
                  true,
                );
              } else expect(await applyToStore(kv, op), what).toEqual(expected.answer);
            }
          }
          const now = Date.now();
          const want = [...m.keys()].filter((k) => live(m, k, now)).sort();
          for (const kv of [embedded, cluster]) {
            const items = await kv.items();
            expect(items.map((i) => [i.key, i.value])).toEqual(want.map((k) => [k, m.get(k)!.value]));
            items.forEach((item, i) => {
              const at = m.get(want[i]!)!.expiresAt;
              expect(at === null ? item.expiresAt === null : Math.abs(item.expiresAt! - at) <= SLACK_MS).toBe(true);
            });
          }
        }),
        { numRuns: 40 },
      );
    } finally {
      await embedded.close();
      await cluster.close();
    }
  });
});
