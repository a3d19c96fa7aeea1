// The string family through a real client: ioredis against the built `esc serve`, RESP2 and RESP3.
import Redis from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningServer, startEscServe } from './serve-harness.js';

let esc: RunningServer;
const clients: Redis[] = [];
beforeAll(async () => {
  esc = await startEscServe();
});
afterAll(async () => {
  for (const c of clients) c.disconnect();
  await esc?.stop();
});

function client(protocol: 2 | 3): Redis {
  const c = new Redis({ port: esc.port, host: '127.0.0.1', maxRetriesPerRequest: 0, protocol });
  clients.push(c);
  return c;
}

describe.each([2, 3] as const)('ioredis, RESP%d: strings', (protocol) => {
  const p = `p${protocol}:`;

  it('sets and gets with every SET option', async () => {
    const c = client(protocol);
    expect(await c.set(`${p}a`, 'one')).toBe('OK');
    expect(await c.get(`${p}a`)).toBe('one');
    expect(await c.set(`${p}a`, 'two', 'NX')).toBe(null);
    expect(await c.set(`${p}a`, 'two', 'XX', 'GET')).toBe('one');
    expect(await c.set(`${p}b`, 'x', 'EX', 100)).toBe('OK');
    expect(await c.ttl(`${p}b`)).toBeGreaterThan(98);
    expect(await c.set(`${p}b`, 'y', 'KEEPTTL')).toBe('OK');
    expect(await c.pttl(`${p}b`)).toBeGreaterThan(98_000);
    expect(await c.set(`${p}b`, 'z', 'PXAT', Date.now() + 60_000)).toBe('OK');
    expect(await c.expiretime(`${p}b`)).toBeGreaterThan(Date.now() / 1000);
    await expect(c.set(`${p}b`, 'z', 'EX', 0)).rejects.toThrow("ERR invalid expire time in 'set' command");
    await expect(c.call('set', `${p}b`, 'z', 'NX', 'XX')).rejects.toThrow('ERR syntax error');
    expect(await c.getdel(`${p}a`)).toBe('two');
    expect(await c.exists(`${p}a`, `${p}b`, `${p}b`)).toBe(2);
    expect(await c.getex(`${p}b`, 'PERSIST')).toBe('z');
    expect(await c.ttl(`${p}b`)).toBe(-1);
  });

  it('counts, appends and sets many at once', async () => {
    const c = client(protocol);
    expect(await c.incr(`${p}n`)).toBe(1);
    expect(await c.incrby(`${p}n`, 41)).toBe(42);
    expect(await c.decrby(`${p}n`, 2)).toBe(40);
    expect(await c.decr(`${p}n`)).toBe(39);
    await c.set(`${p}big`, '9223372036854775807');
    await expect(c.incr(`${p}big`)).rejects.toThrow('ERR increment or decrement would overflow');
    await expect(c.incr(`${p}a-string`)).resolves.toBe(1);
    await c.set(`${p}s`, 'text');
    await expect(c.incr(`${p}s`)).rejects.toThrow('ERR value is not an integer or out of range');
    expect(await c.append(`${p}s`, '+more')).toBe(9);
    expect(await c.strlen(`${p}s`)).toBe(9);
    expect(await c.mset(`${p}k1`, 'v1', `${p}k2`, 'v2')).toBe('OK');
    expect(await c.mget(`${p}k1`, `${p}k2`, `${p}none`)).toEqual(['v1', 'v2', null]);
    expect(await c.msetnx(`${p}k2`, 'x', `${p}k3`, 'y')).toBe(0);
    expect(await c.msetnx(`${p}k3`, 'x', `${p}k4`, 'y')).toBe(1);
    expect(await c.rename(`${p}k4`, `${p}k5`)).toBe('OK');
    expect(await c.type(`${p}k5`)).toBe('string');
    expect(await c.del(`${p}k1`, `${p}k2`, `${p}none`)).toBe(2);
  });

  it('keeps binary values byte for byte', async () => {
    const c = client(protocol);
    const value = Buffer.from([0, 0xff, 0xfe, 0x80, 0x41, 0xc3]);
    const key = Buffer.from([0x6b, 0xe9]);
    await c.set(key, value);
    expect(await c.getBuffer(key)).toEqual(value);
    expect(await c.strlen(key)).toBe(6);
    expect(await c.keysBuffer(`${p}*`)).toBeInstanceOf(Array);
    const keys = await c.keysBuffer('k*');
    expect(keys.some((k) => k.equals(key))).toBe(true);
  });

  it('expires keys with the conditions, and lists them with KEYS and SCAN', async () => {
    const c = client(protocol);
    await c.set(`${p}e`, '1');
    expect(await c.expire(`${p}e`, 100, 'XX')).toBe(0);
    expect(await c.expire(`${p}e`, 100, 'NX')).toBe(1);
    expect(await c.expire(`${p}e`, 50, 'GT')).toBe(0);
    expect(await c.expire(`${p}e`, 50, 'LT')).toBe(1);
    expect(await c.pexpire(`${p}e`, 60_000)).toBe(1);
    expect(await c.persist(`${p}e`)).toBe(1);
    expect(await c.pexpireat(`${p}e`, 1)).toBe(1);
    expect(await c.exists(`${p}e`)).toBe(0);
    for (let i = 0; i < 120; i++) await c.set(`${p}scan:${i}`, String(i));
    const seen = new Set<string>();
    let cursor = '0';
    do {
      const [next, keys] = await c.scan(cursor, 'MATCH', `${p}scan:*`, 'COUNT', 25);
      for (const k of keys) seen.add(k);
      cursor = next;
    } while (cursor !== '0');
    expect(seen.size).toBe(120);
    expect((await c.keys(`${p}scan:1?`)).sort()).toEqual(Array.from({ length: 10 }, (_, i) => `${p}scan:1${i}`).sort());
  });

  it('answers a pipeline of 10,000 writes and reads in order', async () => {
    const c = client(protocol);
    const pipe = c.pipeline();
    for (let i = 0; i < 5000; i++) {
      pipe.set(`${p}pipe:${i % 100}`, String(i));
      pipe.incr(`${p}pipe:count`);
    }
    const results = await pipe.exec();
    expect(results).toHaveLength(10_000);
    expect(results!.at(-1)).toEqual([null, 5000]);
    expect(await c.get(`${p}pipe:99`)).toBe('4999');
  });
});

describe('ioredis: keyspace commands', () => {
  it('reports keys in INFO and DBSIZE, and FLUSHDB empties them', async () => {
    const c = client(2);
    await c.flushdb();
    await c.set('x', '1', 'EX', 1000);
    await c.set('y', '1');
    expect(await c.dbsize()).toBe(2);
    expect(await c.info('keyspace')).toMatch(/db0:keys=2,expires=1,avg_ttl=\d+/);
    expect(await c.info('persistence')).toMatch(/kv_sync:batch/);
    expect(await c.flushall()).toBe('OK');
    expect(await c.dbsize()).toBe(0);
  });
});
