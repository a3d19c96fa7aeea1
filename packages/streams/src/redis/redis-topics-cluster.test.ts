import { keySlot } from '@esc/redis';
import { type RedisNode, type RedisTestCluster, startRedisCluster } from '@esc/test-fixtures';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { consumeRedis } from './redis-topic-consumer.js';
import { partitionKey } from './redis-topic-layout.js';
import { openRedisTopics, type RedisTopicStore } from './redis-topic-store.js';

let cluster: RedisTestCluster;
beforeAll(async () => {
  cluster = await startRedisCluster();
}, 120_000);
afterAll(async () => {
  await cluster?.stop();
});

/** The master serving a key now (redis-cli without -c answers MOVED from any other node). */
async function masterOf(key: string): Promise<RedisNode> {
  for (const node of await cluster.masters()) if (/^\d+$/.test(await node.cli('xlen', key))) return node;
  throw new Error(`no master serves ${key}`);
}

describe('topics on a Redis Cluster', () => {
  it('3 consumers in one group share 6 partitions: every record delivered once, none lost', async () => {
    const store = await openRedisTopics(cluster.url);
    try {
      await store.createTopic('shared', { partitions: 6 });
      const values = Array.from({ length: 3000 }, (_, i) => `r${i}`);
      for (let i = 0; i < values.length; i += 500)
        await store.append(
          'shared',
          values.slice(i, i + 500).map((value, k) => ({ key: k % 3 === 0 ? null : `k${k % 97}`, value })),
        );
      // Three members, each with its own connection, reading the group side by side and acknowledging what they took.
      const member = async (consumer: string) => {
        const own = await openRedisTopics(cluster.url);
        const got: string[] = [];
        try {
          for await (const b of consumeRedis(own, 'shared', { group: { name: 'workers', consumer }, batchSize: 50 })) {
            got.push(...b.records.map((r) => r.value!.toString()));
            await own.ack(
              'workers',
              'shared',
              b.partition,
              b.records.map((r) => r.offset),
            );
          }
        } finally {
          await own.close();
        }
        return got;
      };
      const shares = await Promise.all(['c1', 'c2', 'c3'].map(member));
      const all = shares.flat();
      expect(all.length).toBe(values.length);
      expect(new Set(all).size).toBe(values.length);
      expect([...all].sort()).toEqual([...values].sort());
      // Nothing pending: the group is at the end of every partition.
      for (let p = 0; p < 6; p++)
        expect(await store.committed('workers', 'shared', p)).toBe((await store.bounds('shared', p)).next);
    } finally {
      await store.close();
    }
  }, 120_000);

  it('an append with WAIT reaches the master of its slot when the slot map is stale, as after a failover', async () => {
    const store = await openRedisTopics(cluster.url);
    try {
      await store.createTopic('stale', { partitions: 1 });
      const key = partitionKey('stale', 0);
      // The client believes another master serves the slot (what it believed of a failed-over slot): its XADDs
      // get MOVED, the keyless WAIT after them does not, and ioredis does not follow a half-moved pipeline.
      const client = store.client as Extract<RedisTopicStore['client'], { slots: unknown }>;
      const slot = keySlot(key);
      const owner = client.slots[slot]![0]!;
      const other = client
        .nodes('master')
        .map((n) => `${n.options.host}:${n.options.port}`)
        .find((k) => k !== owner)!;
      client.slots[slot] = [other];
      const [pos] = await store.append('stale', [{ key: 'k', value: 'v' }], { waitReplicas: 1, waitTimeoutMs: 2_000 });
      expect(pos).toEqual({ partition: 0, offset: 0 });
      expect((await store.readAll('stale', 0)).map((r) => r.value!.toString())).toEqual(['v']);
    } finally {
      await store.close();
    }
  }, 60_000);

  it('failover: a master killed during a produce loop; producing resumes and no record acknowledged with WAIT 1 is lost', async () => {
    const setup = await openRedisTopics(cluster.url);
    await setup.createTopic('failover', { partitions: 6 });
    await setup.close();
    // A long-lived producer: reconnects and retries through the failover (failFast: false).
    const store: RedisTopicStore = await openRedisTopics(cluster.url, { failFast: false });
    const acked: { partition: number; offset: number; value: string }[] = [];
    let stop = false;
    let i = 0;
    let lastError = '';
    const loop = (async () => {
      while (!stop) {
        const value = `v${i}`;
        let timer: NodeJS.Timeout | undefined;
        try {
          // An append sent to the master as it died may never be answered: after 15 s it counts as not
          // acknowledged, as a client's request timeout would make it (if it lands later, it is stored twice).
          const [pos] = await Promise.race([
            store.append('failover', [{ key: `k${i % 60}`, value }], { waitReplicas: 1, waitTimeoutMs: 2_000 }),
            new Promise<never>((_, reject) => {
              timer = setTimeout(() => reject(new Error('no answer in 15 s')), 15_000);
            }),
          ]);
          acked.push({ ...pos!, value });
          i++;
        } catch (err) {
          // not acknowledged: retried (it may be stored twice, as a producer without idempotence)
          lastError = err instanceof Error ? err.message : String(err);
          await new Promise((r) => setTimeout(r, 100));
        } finally {
          clearTimeout(timer);
        }
      }
    })();
    const until = async (n: number) => {
      const deadline = Date.now() + 90_000;
      while (acked.length < n) {
        if (Date.now() > deadline)
          throw new Error(`${acked.length} of ${n} appends acknowledged after 90 s; the last refusal: ${lastError}`);
        await new Promise((r) => setTimeout(r, 20));
      }
    };
    try {
      await until(200);
      const victim = await masterOf(partitionKey('failover', 0));
      await victim.kill();
      const killedAt = acked.length;
      await cluster.waitHealthy(60_000); // the replica took over
      await cluster.restart(victim); // the old master rejoins as its replica, so WAIT 1 can be met again
      await cluster.waitHealthy(60_000);
      await until(killedAt + 300);
      stop = true;
      await loop;
      // Producing resumed on the shard that failed over.
      const onVictimShard = acked.slice(killedAt).filter((a) => a.partition === 0);
      expect(onVictimShard.length).toBeGreaterThan(0);
      const check = await openRedisTopics(cluster.url);
      try {
        for (let p = 0; p < 6; p++) {
          const stored = new Map((await check.readAll('failover', p)).map((r) => [r.offset, r.value!.toString()]));
          for (const a of acked.filter((x) => x.partition === p))
            expect(stored.get(a.offset), `${p}/${a.offset}`).toBe(a.value);
        }
      } finally {
        await check.close();
      }
    } finally {
      stop = true;
      await loop;
      await store.close();
    }
  }, 240_000);
});
