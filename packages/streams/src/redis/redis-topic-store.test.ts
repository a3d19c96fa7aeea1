import { type RedisTestServer, startRedis } from '@esc/test-fixtures';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { partitionForKey } from '../partitioner.js';
import { consumeRedis } from './redis-topic-consumer.js';
import { openRedisTopics, type RedisTopicStore } from './redis-topic-store.js';

let server: RedisTestServer;
let store: RedisTopicStore;
beforeAll(async () => {
  server = await startRedis();
  store = await openRedisTopics(server.url);
}, 60_000);
afterAll(async () => {
  await store?.close();
  await server?.stop();
});

async function drain(gen: AsyncGenerator<{ partition: number; records: { offset: number; value: Buffer | null }[] }>) {
  const out: string[] = [];
  for await (const b of gen) for (const r of b.records) out.push(`${b.partition}/${r.offset}=${r.value?.toString()}`);
  return out.sort();
}

describe('RedisTopicStore on one redis-server', () => {
  it('creates, lists, describes, alters and deletes topics, with the layout of docs/formats/redis-topics.md', async () => {
    const config = await store.createTopic('orders', { partitions: 3, retentionMs: -1 });
    expect(config).toEqual({
      partitions: 3,
      cleanupPolicy: 'delete',
      retentionMs: -1,
      retentionRecords: -1,
      maxMessageBytes: 1048588,
    });
    await expect(store.createTopic('orders')).rejects.toThrow("topic 'orders' already exists");
    await store.createTopic('audit');
    expect(await store.listTopics()).toEqual(['audit', 'orders']);
    expect(JSON.parse(await server.cli('get', 'esc:topic:orders'))).toEqual(config);
    await store.append('orders', [{ key: 'k', value: 'v' }]);
    const p = partitionForKey(Buffer.from('k'), 3);
    expect((await server.cli('xrange', `esc:topic:{orders:${p}}`, '-', '+')).split('\n')).toEqual([
      '0-1',
      't',
      expect.stringMatching(/^\d+$/),
      'k',
      'k',
      'v',
      'v',
    ]);
    const d = await store.describeTopic('orders');
    expect(d.partitions.map((x) => [x.partition, x.earliest, x.next, x.records])).toEqual(
      [0, 1, 2].map((i) => [i, 0, i === p ? 1 : 0, i === p ? 1 : 0]),
    );
    expect((await store.alterTopic('orders', { partitions: 4 })).partitions).toBe(4);
    await expect(store.alterTopic('orders', { partitions: 2 })).rejects.toThrow('can only grow');
    await expect(store.createTopic('c', { cleanupPolicy: 'compact' })).rejects.toThrow('no log cleaner');
    await expect(store.createTopic('c', { segmentBytes: 1000 })).rejects.toThrow('segment.bytes does not apply');
    await store.deleteTopic('orders');
    expect(await store.listTopics()).toEqual(['audit']);
    expect(await server.cli('exists', `esc:topic:{orders:${p}}`)).toBe('0');
    await expect(store.describeTopic('orders')).rejects.toThrow("topic 'orders' does not exist");
  });

  it('appends keys, values, nulls and headers, and reads them back from offsets and times', async () => {
    let now = 1000;
    const timed = await openRedisTopics(server.url, { clock: () => now });
    try {
      await timed.createTopic('rw', { partitions: 2 });
      const pa = partitionForKey(Buffer.from('a'), 2);
      const acks = await timed.append('rw', [
        {
          key: 'a',
          value: 'one',
          headers: [
            { key: 'h', value: 'x' },
            { key: 'h', value: null },
          ],
        },
        { key: null, value: Buffer.from([0xff, 0]), partition: 1 - pa },
        { key: 'a', value: null, timestamp: 5000 },
      ]);
      expect(acks[0]).toEqual({ partition: pa, offset: 0 });
      expect(acks[2]).toEqual({ partition: pa, offset: 1 });
      const got = await timed.readAll('rw', pa);
      expect(got).toEqual([
        {
          offset: 0,
          timestamp: 1000,
          key: Buffer.from('a'),
          value: Buffer.from('one'),
          headers: [
            { key: 'h', value: Buffer.from('x') },
            { key: 'h', value: null },
          ],
        },
        { offset: 1, timestamp: 5000, key: Buffer.from('a'), value: null, headers: [] },
      ]);
      expect((await timed.readAll('rw', acks[1]!.partition))[0]!.value).toEqual(Buffer.from([0xff, 0]));
      expect(await timed.position('rw', pa, { timestamp: 1001 })).toBe(1);
      expect(await timed.position('rw', pa, { timestamp: 6000 })).toBe(2);
      await expect(timed.position('rw', pa, 3)).rejects.toThrow('the log ends at 2');
      // Time retention: records more than retention.ms old go, with XTRIM MINID.
      await timed.alterTopic('rw', { retentionMs: 2000 });
      now = 4000;
      expect((await timed.applyRetention('rw'))[pa]).toEqual({ partition: pa, earliest: 1 });
      await expect(timed.position('rw', pa, 0)).rejects.toThrow('the earliest available offset is 1');
    } finally {
      await timed.close();
    }
  });

  it('keeps at most about retentionRecords entries (MAXLEN ~) and refuses a record over max.message.bytes', async () => {
    await store.createTopic('capped', { retentionRecords: 100, maxMessageBytes: 64 });
    for (let i = 0; i < 10; i++)
      await store.append(
        'capped',
        Array.from({ length: 100 }, (_, k) => ({ value: `r${i * 100 + k}` })),
      );
    const b = await store.bounds('capped', 0);
    expect(b.next).toBe(1000);
    expect(b.next - b.earliest).toBeGreaterThanOrEqual(100);
    expect(b.next - b.earliest).toBeLessThan(1000);
    await expect(store.append('capped', [{ value: 'x'.repeat(65) }])).rejects.toThrow(
      'larger than max.message.bytes 64',
    );
  });

  it('consumes to the end, from offsets, and as a group: acknowledged records are not read again', async () => {
    await store.createTopic('g', { partitions: 2 });
    await store.append(
      'g',
      Array.from({ length: 10 }, (_, i) => ({ value: `v${i}` })),
    );
    const all = await drain(consumeRedis(store, 'g'));
    expect(all).toHaveLength(10);
    expect(await drain(consumeRedis(store, 'g', { partitions: [0], from: () => 4 }))).toEqual(
      all.filter((x) => x.startsWith('0/') && Number(x.split('/')[1]!.split('=')[0]) >= 4),
    );
    const group = { name: 'billing', consumer: 'c1' };
    const first: string[] = [];
    for await (const b of consumeRedis(store, 'g', { group, max: 3 })) {
      for (const r of b.records) first.push(`${b.partition}/${r.offset}=${r.value}`);
      await store.ack(
        'billing',
        'g',
        b.partition,
        b.records.map((r) => r.offset),
      );
    }
    expect(first).toHaveLength(3);
    const rest = await drain(consumeRedis(store, 'g', { group: { name: 'billing', consumer: 'c2' } }));
    expect([...first, ...rest].sort()).toEqual(all);
    // Unacknowledged records stay pending: redelivered to the same consumer name, and counted by committed().
    const firstPending = Math.min(
      ...rest.filter((x) => x.startsWith('0/')).map((x) => Number(x.slice(2).split('=')[0])),
    );
    expect(await store.committed('billing', 'g', 0)).toBe(firstPending);
    await store.commit('fresh', 'g', 1, 2);
    expect(await store.committed('fresh', 'g', 1)).toBe(2);
    expect(await store.committed('nobody', 'g', 1)).toBeNull();
  });

  it('redelivers a member’s unacknowledged records to it when it comes back under the same name', async () => {
    await store.createTopic('redo', { partitions: 1 });
    await store.append(
      'redo',
      ['a', 'b', 'c'].map((value) => ({ value })),
    );
    const group = { name: 'g', consumer: 'worker-1' };
    const firstRun = await drain(consumeRedis(store, 'redo', { group, max: 2 })); // read, never acknowledged
    expect(firstRun).toEqual(['0/0=a', '0/1=b']);
    expect(await store.committed('g', 'redo', 0)).toBe(0);
    // Another member does not get them (they are pending), the same one does, first.
    expect(await drain(consumeRedis(store, 'redo', { group: { name: 'g', consumer: 'other' } }))).toEqual(['0/2=c']);
    const again: string[] = [];
    for await (const b of consumeRedis(store, 'redo', { group }))
      for (const r of b.records) {
        again.push(r.value!.toString());
        await store.ack('g', 'redo', 0, [r.offset]);
      }
    expect(again).toEqual(['a', 'b']);
    expect(await store.committed('g', 'redo', 0)).toBe(2); // 'c' is still pending for 'other'
    await store.ack('g', 'redo', 0, [2]);
    expect(await store.committed('g', 'redo', 0)).toBe(3);
  });

  it('follows: a reader waiting at the end gets what is appended after it started', async () => {
    await store.createTopic('live', { partitions: 2 });
    const seen: string[] = [];
    const reading = (async () => {
      for await (const b of consumeRedis(store, 'live', { follow: true, max: 4 }))
        for (const r of b.records) seen.push(r.value!.toString());
    })();
    await new Promise((r) => setTimeout(r, 200));
    await store.append(
      'live',
      ['a', 'b', 'c', 'd'].map((value) => ({ value })),
    );
    const ended = (async () => {
      for await (const b of consumeRedis(store, 'live', { follow: true, idleTimeoutMs: 300 })) void b;
    })();
    await Promise.all([reading, ended]);
    expect(seen.sort()).toEqual(['a', 'b', 'c', 'd']);
  });
});
