import { type RedisTestCluster, type RedisTestServer, startRedis, startRedisCluster } from '@esc/test-fixtures';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { groupBySlot, keySlot } from './key-slot.js';
import { connectRedis, RedisConnectionError } from './redis-connection.js';

describe('connectRedis', () => {
  let server: RedisTestServer;
  let cluster: RedisTestCluster;
  beforeAll(async () => {
    [server, cluster] = await Promise.all([startRedis(), startRedisCluster()]);
  }, 120_000);
  afterAll(async () => {
    await Promise.all([server?.stop(), cluster?.stop()]);
  });

  it('talks to one server, in the database the URL names', async () => {
    const conn = await connectRedis(`${server.url}/2`);
    try {
      expect(conn.isCluster).toBe(false);
      await conn.client.set('k', 'v');
      expect(await server.cli('-n', '2', 'get', 'k')).toBe('v');
      expect(await server.cli('-n', '0', 'exists', 'k')).toBe('0');
      expect(conn.masters()).toHaveLength(1);
    } finally {
      await conn.close();
    }
  });

  it('talks to a cluster, every key on the master that owns its slot', async () => {
    const conn = await connectRedis(cluster.url);
    try {
      expect(conn.isCluster).toBe(true);
      const keys = Array.from({ length: 50 }, (_, i) => `key:${i}`);
      for (const key of keys) await conn.client.set(key, key.toUpperCase());
      expect(conn.masters()).toHaveLength(3);
      // Each master holds only the keys of its own slots, and together they hold all of them.
      const seen: string[] = [];
      for (const master of conn.masters()) {
        const held = await master.keys('key:*');
        for (const key of held) expect(await master.get(key)).toBe(key.toUpperCase());
        seen.push(...held);
      }
      expect(seen.sort()).toEqual([...keys].sort());
    } finally {
      await conn.close();
    }
  });

  it('fails fast with the URL (password hidden) when nothing listens', async () => {
    const err = await connectRedis('redis://u:pw@127.0.0.1:1').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RedisConnectionError);
    expect((err as Error).message).toMatch(/^cannot use redis:\/\/u:\*\*\*@127\.0\.0\.1:1: /);
  });

  it('splits keys by slot and keeps their positions; hash tags share a slot', () => {
    expect(keySlot('foo')).toBe(12182); // CLUSTER KEYSLOT foo
    expect(keySlot('{user1}.a')).toBe(keySlot('{user1}.b'));
    const groups = groupBySlot(['a', '{t}x', 'b', '{t}y', 'a']);
    const byKeys = groups.map((g) => g.keys.join(' ')).sort();
    expect(byKeys).toContain('{t}x {t}y');
    expect(groups.find((g) => g.keys[0] === 'a')!.indexes).toEqual([0, 4]);
    expect(groups.flatMap((g) => g.indexes).sort()).toEqual([0, 1, 2, 3, 4]);
  });
});
