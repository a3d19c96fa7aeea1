import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openKv, type KeyValueStore, type KvStore } from './index.js';
import { KV_BACKENDS, useKvBackends } from './test-helpers/kv-backends.js';
import { manualClock, tempStore } from './test-helpers/temp-store.js';

const backends = useKvBackends();

// Redis TTL semantics on every backend. The embedded store's clock is injected and stands still; Redis's runs while
// the test does, so a remaining time read there is at most the one set and not far below it (the slack is
// generous for a loaded machine: it bounds the answer, it does not time anything).
const SLACK_MS = 30_000;

describe.each(KV_BACKENDS)('TTL behaviour on %s', (name) => {
  let kv: KeyValueStore;
  const clock = manualClock();
  const now = name === 'embedded' ? clock.now : Date.now;
  /** Lets `ms` pass: the embedded store's clock is moved; Redis's cannot be, so the test waits that long. */
  const passTime = async (ms: number) =>
    name === 'embedded' ? clock.advance(ms) : new Promise((resolve) => setTimeout(resolve, ms));
  beforeEach(async () => {
    ({ kv } = await backends.open(name, { clock: now }));
  });
  afterEach(async () => {
    await kv.close();
  });

  async function expectPttl(key: string, ms: number) {
    const left = await kv.pttl(key);
    if (name === 'embedded') expect(left).toBe(ms);
    else expect([left <= ms, left > Math.max(0, ms - SLACK_MS)]).toEqual([true, true]);
  }
  async function expectTtl(key: string, seconds: number) {
    const left = await kv.ttl(key);
    if (name === 'embedded') expect(left).toBe(seconds);
    else expect([left <= seconds, left > seconds - SLACK_MS / 1000]).toEqual([true, true]);
  }

  it('ttl and pttl: -2 missing, -1 no expiry, else the remaining time', async () => {
    expect(await kv.ttl('nope')).toBe(-2);
    expect(await kv.pttl('nope')).toBe(-2);
    await kv.set('p', 'v');
    expect(await kv.ttl('p')).toBe(-1);
    expect(await kv.pttl('p')).toBe(-1);
    await kv.set('t', 'v', { px: 100_500 });
    await expectPttl('t', 100_500);
    await expectTtl('t', 101);
  });

  it('a key is gone once its expiry has passed: get, exists, keys, ttl and incr never see it again', async () => {
    await kv.set('s', 'v', { px: 200 });
    await kv.set('n', '10', { px: 200 });
    await kv.set('p', 'v', { px: 200 });
    expect(await kv.persist('p')).toBe(true);
    await kv.set('later', 'v', { ex: 1000 });
    await passTime(400);
    expect(await kv.get('s')).toBeNull();
    expect(await kv.exists(['s', 'n', 'p'])).toBe(1);
    expect(await kv.keys()).toEqual(['later', 'p']);
    expect((await kv.items()).map((i) => i.key)).toEqual(['later', 'p']);
    expect(await kv.ttl('s')).toBe(-2);
    expect(await kv.pttl('s')).toBe(-2);
    expect(await kv.incrby('n')).toBe(1n); // an expired key counts as missing
    expect(await kv.ttl('n')).toBe(-1);
    expect(await kv.set('s', 'again', { nx: true })).toEqual({ written: true, previous: null });
  });

  it('a reopened store keeps every expiry', async () => {
    await kv.set('k', 'v', { ex: 100 });
    await kv.close();
    kv = await openKv(backends.target(name), { clock: now });
    await expectTtl('k', 100);
    expect(await kv.get('k')).toBe('v');
  });

  it('a plain set clears the TTL; keepttl keeps it', async () => {
    await kv.set('k', 'a', { ex: 100 });
    await kv.set('k', 'b', { keepttl: true });
    await expectPttl('k', 100_000);
    expect(await kv.get('k')).toBe('b');
    await kv.set('k', 'c');
    expect(await kv.ttl('k')).toBe(-1);
  });

  it('exat/pxat set absolute expiries; one in the past deletes the key', async () => {
    const t = now();
    await kv.set('a', 'v', { pxat: t + 50_000 });
    await expectPttl('a', t + 50_000 - now());
    await kv.set('b', 'v', { exat: Math.floor(t / 1000) + 600 });
    expect(await kv.ttl('b')).toBeGreaterThan(540);
    await kv.set('a', 'v', { pxat: t - 1 });
    expect(await kv.get('a')).toBeNull();
    expect(await kv.expire('b', -1)).toBe(true);
    expect(await kv.get('b')).toBeNull();
    expect(await kv.exists(['a', 'b'])).toBe(0);
  });

  it('persist removes an expiry and reports whether there was one', async () => {
    await kv.set('k', 'v', { ex: 5 });
    expect(await kv.persist('k')).toBe(true);
    expect(await kv.ttl('k')).toBe(-1);
    expect(await kv.persist('k')).toBe(false);
    expect(await kv.persist('missing')).toBe(false);
  });

  it('EXPIRE NX/XX/GT/LT follow Redis 7 (no expiry counts as infinite for GT/LT)', async () => {
    await kv.set('k', 'v');
    expect(await kv.expire('k', 100, ['xx'])).toBe(false);
    expect(await kv.expire('k', 100, ['gt'])).toBe(false);
    expect(await kv.expire('k', 100, ['nx'])).toBe(true);
    expect(await kv.expire('k', 200, ['nx'])).toBe(false);
    expect(await kv.expire('k', 50, ['gt'])).toBe(false);
    expect(await kv.expire('k', 200, ['gt'])).toBe(true);
    await expectTtl('k', 200);
    expect(await kv.expire('k', 300, ['lt'])).toBe(false);
    expect(await kv.expire('k', 20, ['lt', 'xx'])).toBe(true);
    await expectTtl('k', 20);
    await kv.set('p', 'v');
    expect(await kv.expire('p', 20, ['lt'])).toBe(true);
    expect(await kv.expire('missing', 20)).toBe(false);
    expect(await kv.pexpire('p', 30_000)).toBe(true);
    await expectPttl('p', 30_000);
    expect(await kv.pexpireat('p', now() + 40_000, ['gt'])).toBe(true);
    await expect(kv.expire('k', 1, ['nx', 'xx'])).rejects.toThrow(/not compatible/);
    await expect(kv.expire('k', 1, ['gt', 'lt'])).rejects.toThrow(/not compatible/);
  });

  it('set NX/XX/GET and conflicting options', async () => {
    expect(await kv.set('k', '1', { xx: true })).toEqual({ written: false, previous: null });
    expect(await kv.set('k', '1', { nx: true })).toEqual({ written: true, previous: null });
    expect(await kv.set('k', '2', { nx: true })).toEqual({ written: false, previous: '1' });
    expect(await kv.set('k', '3', { xx: true })).toEqual({ written: true, previous: '1' });
    await expect(kv.set('k', '4', { nx: true, xx: true })).rejects.toThrow(/NX and XX/);
    await expect(kv.set('k', '4', { ex: 1, px: 1000 })).rejects.toThrow(/cannot be combined/);
    await expect(kv.set('k', '4', { ex: 1, keepttl: true })).rejects.toThrow(/cannot be combined/);
    await expect(kv.set('k', '4', { ex: 0 })).rejects.toThrow(/invalid expire time/);
    expect(await kv.get('k')).toBe('3');
  });

  it('incr keeps the TTL, counts from 0, rejects non-integers and overflow', async () => {
    await kv.set('n', '10', { ex: 30 });
    expect(await kv.incrby('n', 5)).toBe(15n);
    await expectPttl('n', 30_000);
    expect(await kv.incrby('fresh')).toBe(1n);
    expect(await kv.ttl('fresh')).toBe(-1);
    expect(await kv.incrby('fresh', -3n)).toBe(-2n);
    await kv.set('s', 'abc');
    await expect(kv.incrby('s')).rejects.toThrow(/not an integer/);
    await kv.set('f', '1.5');
    await expect(kv.incrby('f')).rejects.toThrow(/not an integer/);
    await kv.set('big', '9223372036854775806');
    expect(await kv.incrby('big')).toBe(9223372036854775807n);
    await expect(kv.incrby('big')).rejects.toThrow(/overflow/);
    expect(await kv.get('big')).toBe('9223372036854775807');
  });
});

// Exact instants, with an injected clock and no sleeps: alive at 9,999 ms of 10,000, a pttl of exactly 400. Redis's
// clock can be neither moved nor stopped, so these stay on the embedded store; the suite above lets time pass on
// every backend (a wait on Redis) and checks what must hold after it.
describe('TTL behaviour as time passes (embedded)', () => {
  let store: ReturnType<typeof tempStore>;
  let clock: ReturnType<typeof manualClock>;
  let kv: KvStore;
  beforeEach(async () => {
    store = tempStore();
    clock = manualClock();
    kv = (await openKv(store.path, { clock: clock.now })) as KvStore;
  });
  afterEach(async () => {
    await kv.close();
    store.cleanup();
  });

  it('expires a key once its time has passed, and never returns or counts it after', async () => {
    await kv.set('s', 'v', { ex: 10 });
    clock.advance(9_999);
    expect(await kv.get('s')).toBe('v');
    clock.advance(1);
    expect(await kv.get('s')).toBeNull();
    expect(await kv.exists(['s'])).toBe(0);
    expect(await kv.keys('*')).toEqual([]);
    const stats = await kv.stats();
    expect(stats.liveKeys).toBe(0);
    expect(stats.expiredNotSwept).toBe(1);
    await kv.compact();
    expect((await kv.stats()).expiredNotSwept).toBe(0);
  });

  it('ttl and pttl: -2 missing, -1 no expiry, else the remaining time (seconds rounded as Redis does)', async () => {
    expect(await kv.ttl('nope')).toBe(-2);
    expect(await kv.pttl('nope')).toBe(-2);
    await kv.set('p', 'v');
    expect(await kv.ttl('p')).toBe(-1);
    expect(await kv.pttl('p')).toBe(-1);
    await kv.set('t', 'v', { px: 1500 });
    expect(await kv.pttl('t')).toBe(1500);
    expect(await kv.ttl('t')).toBe(2);
    clock.advance(1100);
    expect(await kv.pttl('t')).toBe(400);
    expect(await kv.ttl('t')).toBe(0);
    clock.advance(400);
    expect(await kv.ttl('t')).toBe(-2);
  });

  it('a persisted key outlives its old expiry', async () => {
    await kv.set('k', 'v', { ex: 5 });
    expect(await kv.persist('k')).toBe(true);
    clock.advance(10_000);
    expect(await kv.get('k')).toBe('v');
  });

  it('incr keeps the TTL as it runs down; an expired key counts as missing', async () => {
    await kv.set('n', '10', { ex: 30 });
    clock.advance(10_000);
    expect(await kv.incrby('n', 5)).toBe(15n);
    expect(await kv.pttl('n')).toBe(20_000);
    clock.advance(20_000);
    expect(await kv.get('n')).toBeNull();
    expect(await kv.incrby('n')).toBe(1n); // an expired key counts as missing
  });

  it('expiry survives a reopen (absolute times in the files)', async () => {
    await kv.set('k', 'v', { ex: 10 });
    await kv.close();
    clock.advance(5000);
    kv = (await openKv(store.path, { clock: clock.now })) as KvStore;
    expect(await kv.ttl('k')).toBe(5);
    clock.advance(5000);
    expect(await kv.get('k')).toBeNull();
  });
});
