import { type RedisTestCluster, startRedisCluster } from '@esc/test-fixtures';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { partitionForKey } from '../partitioner.js';
import {
  type CommonTopicOp,
  commonTopicOps,
  type ModelRecord,
  modelView as view,
} from '../test-helpers/topic-model-ops.js';
import { consumeRedis } from './redis-topic-consumer.js';
import { openRedisTopics, type RedisTopicStore } from './redis-topic-store.js';

const RETENTION_MS = 800;

type Op = CommonTopicOp;

const opArb: fc.Arbitrary<Op> = fc.oneof(
  ...commonTopicOps({ maxPartition: 5, maxReadOffset: 40, maxCommitOffset: 40, maxAppend: 8, readTimeWeight: 2 }),
);

let cluster: RedisTestCluster;
beforeAll(async () => {
  cluster = await startRedisCluster();
}, 120_000);
afterAll(async () => {
  await cluster?.stop();
});

/**
 * The produce/consume model test of streams-model.test.ts, on a Redis Cluster (3 masters, a replica each): per
 * partition an array of records with dense offsets; keyed records go where Kafka's partitioner says, keyless ones
 * round robin; reads from offsets and times, time retention (an exact MINID trim of the expired prefix), group
 * offsets and a whole consume all equal the model, across reconnecting. Compaction is not there to test:
 * Redis topics refuse it.
 */
describe('RedisTopicStore on a Redis Cluster against an in-memory model', () => {
  it('reads back what the model holds, from offsets and times, and the group offsets, across reconnects and retention', async () => {
    let run = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 6 }),
        fc.array(opArb, { minLength: 1, maxLength: 40 }),
        async (partitions, ops) => {
          const topic = `model-${run++}`;
          let clock = 1000;
          const open = () =>
            openRedisTopics(cluster.url, { clock: () => clock, retentionIntervalMs: Number.POSITIVE_INFINITY });
          let store: RedisTopicStore = await open();
          await store.createTopic(topic, { partitions, retentionMs: RETENTION_MS });
          const start: number[] = Array(partitions).fill(0);
          const model: ModelRecord[][] = Array.from({ length: partitions }, () => []);
          const next: number[] = Array(partitions).fill(0);
          const commits = new Map<string, number>();
          let lastKeyless: number | null = null;
          try {
            for (const op of ops) {
              if (op.kind === 'append') {
                const batch = op.records.map((r) => {
                  clock += r.dt;
                  return { key: r.key, value: r.value, timestamp: Math.max(0, clock) };
                });
                const positions = await store.append(topic, batch);
                for (const [i, r] of batch.entries()) {
                  const p = positions[i]!.partition;
                  if (r.key !== null) expect(p).toBe(partitionForKey(Buffer.from(r.key), partitions));
                  else {
                    if (lastKeyless !== null) expect(p).toBe((lastKeyless + 1) % partitions);
                    lastKeyless = p;
                  }
                  const expected = { offset: next[p]!++, timestamp: r.timestamp, key: r.key, value: r.value };
                  model[p]!.push(expected);
                  expect(positions[i]).toEqual({ partition: p, offset: expected.offset });
                }
              } else if (op.kind === 'readOffset') {
                const p = op.partition % partitions;
                if (op.at < start[p]! && op.at < next[p]!) {
                  await expect(store.position(topic, p, op.at)).rejects.toThrow(
                    `the earliest available offset is ${start[p]}`,
                  );
                } else if (op.at > next[p]!) {
                  await expect(store.position(topic, p, op.at)).rejects.toThrow(/out of range/);
                } else
                  expect((await store.readAll(topic, p, op.at)).map(view)).toEqual(
                    model[p]!.filter((r) => r.offset >= op.at),
                  );
              } else if (op.kind === 'readTime') {
                const p = op.partition % partitions;
                const m = model[p]!;
                const at = op.pick !== null && m.length > 0 ? m[op.pick % m.length]!.timestamp + op.delta : op.at;
                const first = m.findIndex((r) => r.timestamp >= at);
                expect((await store.readAll(topic, p, { timestamp: at })).map(view)).toEqual(
                  first === -1 ? [] : m.slice(first),
                );
              } else if (op.kind === 'retention') {
                clock += op.jump;
                const results = await store.applyRetention(topic);
                for (let p = 0; p < partitions; p++) {
                  const keep = model[p]!.find((r) => r.timestamp >= clock - RETENTION_MS);
                  const earliest = keep?.offset ?? next[p]!;
                  expect(results[p]).toEqual({ partition: p, earliest });
                  model[p] = model[p]!.filter((x) => x.offset >= earliest);
                  start[p] = earliest;
                }
              } else if (op.kind === 'commit') {
                const p = op.partition % partitions;
                const offset = Math.min(op.at, next[p]!);
                await store.commit(op.group, topic, p, offset);
                commits.set(`${op.group}/${p}`, offset);
              } else {
                await store.close();
                store = await open();
                lastKeyless = null;
              }
            }
            for (let p = 0; p < partitions; p++) {
              for (const g of ['g1', 'g2'])
                expect(await store.committed(g, topic, p)).toBe(commits.get(`${g}/${p}`) ?? null);
              expect((await store.readAll(topic, p)).map(view)).toEqual(model[p]);
              expect(await store.bounds(topic, p)).toEqual({ earliest: start[p], next: next[p] });
            }
            const consumed: ModelRecord[][] = Array.from({ length: partitions }, () => []);
            for await (const b of consumeRedis(store, topic, { from: (p) => start[p]!, batchSize: 7 }))
              consumed[b.partition]!.push(...b.records.map(view));
            expect(consumed).toEqual(model);
          } finally {
            await store.deleteTopic(topic);
            await store.close();
          }
        },
      ),
      { numRuns: 40 },
    );
  }, 300_000);
});
