import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { partitionForKey } from './partitioner.js';
import {
  type CommonTopicOp,
  commonTopicOps,
  type ModelRecord,
  modelView as view,
} from './test-helpers/topic-model-ops.js';
import { useTempDirs } from './test-helpers/temp-dirs.js';
import { openStreams, type TopicStore } from './topic-store.js';

const tempDir = useTempDirs('model');
const RETENTION_MS = 800;
const DELETE_RETENTION_MS = 400;

type Op = CommonTopicOp | { kind: 'compact' } | { kind: 'tick'; jump: number };

const opArb: fc.Arbitrary<Op> = fc.oneof<fc.Arbitrary<Op>[]>(
  ...commonTopicOps({ maxPartition: 2, maxReadOffset: 60, maxCommitOffset: 80, maxAppend: 6, readTimeWeight: 3 }),
  { weight: 2, arbitrary: fc.constant({ kind: 'compact' as const }) },
  // Time passing without retention: tombstones age between cleanings, where their horizon shows.
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('tick' as const), jump: fc.integer({ min: 0, max: 500 }) }) },
);

/**
 * The store against a plain in-memory model: per partition, an array of records with dense offsets. Keyed
 * records go where Kafka's partitioner says, keyless ones round robin; every read from an offset or a time
 * equals the model's slice, across reopening and with segments small enough to roll every few appends.
 */
describe('TopicStore against an in-memory model', () => {
  it('reads back what the model holds, from offsets and times, and the committed offsets, across reopen, retention and compaction', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 3 }),
        fc.array(opArb, { minLength: 1, maxLength: 60 }),
        async (partitions, ops) => {
          const dir = tempDir();
          let clock = 1000;
          const options = {
            onWarning: () => undefined,
            clock: () => clock,
            maintenanceIntervalMs: Number.POSITIVE_INFINITY,
          };
          let store: TopicStore = openStreams(dir, options);
          store.createTopic('m', {
            partitions,
            cleanupPolicy: 'compact,delete',
            segmentBytes: 300,
            indexIntervalBytes: 100,
            retentionMs: RETENTION_MS,
            deleteRetentionMs: DELETE_RETENTION_MS,
          });
          /** Per partition, the log start offset: records below it were deleted by retention. */
          const start: number[] = Array(partitions).fill(0);
          /** Per partition, the records still in the log (retention and compaction remove some), in order. */
          const model: ModelRecord[][] = Array.from({ length: partitions }, () => []);
          const next: number[] = Array(partitions).fill(0);
          /** Committed offsets, by `group/partition`. */
          const commits = new Map<string, number>();
          /** Per partition, when each offset below the clean point was first cleaned (Kafka's delete horizon). */
          const firstCleaned: Map<number, number>[] = Array.from({ length: partitions }, () => new Map());
          let roundRobin = 0;
          try {
            for (const op of ops) {
              if (op.kind === 'append') {
                const batch = op.records.map((r) => {
                  clock += r.dt;
                  return { key: r.key, value: r.value, timestamp: Math.max(0, clock) };
                });
                const positions = await store.append('m', batch);
                for (const [i, r] of batch.entries()) {
                  let p: number;
                  if (r.key !== null) p = partitionForKey(Buffer.from(r.key), partitions);
                  else {
                    p = roundRobin % partitions;
                    roundRobin = p + 1;
                  }
                  const expected = { offset: next[p]!++, timestamp: r.timestamp, key: r.key, value: r.value };
                  model[p]!.push(expected);
                  expect(positions[i]).toEqual({ partition: p, offset: expected.offset });
                }
              } else if (op.kind === 'readOffset') {
                const p = op.partition % partitions;
                const m = model[p]!;
                if (op.at < start[p]! && op.at < next[p]!) {
                  expect(() => store.reader('m', p, op.at)).toThrow(`the earliest available offset is ${start[p]}`);
                  continue;
                }
                if (op.at > next[p]!) {
                  expect(() => store.reader('m', p, op.at)).toThrow(/out of range/);
                  continue;
                }
                expect((await store.readAll('m', p, op.at)).map(view)).toEqual(m.filter((r) => r.offset >= op.at));
              } else if (op.kind === 'readTime') {
                const p = op.partition % partitions;
                const m = model[p]!;
                const at = op.pick !== null && m.length > 0 ? m[op.pick % m.length]!.timestamp + op.delta : op.at;
                const first = m.findIndex((r) => r.timestamp >= at);
                const got = await store.readAll('m', p, { timestamp: at });
                expect(got.map(view)).toEqual(first === -1 ? [] : m.slice(first));
              } else if (op.kind === 'retention') {
                clock += op.jump;
                const results = await store.applyRetention('m');
                for (let p = 0; p < partitions; p++) {
                  const earliest = results[p]!.earliest;
                  expect(earliest).toBeGreaterThanOrEqual(start[p]!);
                  expect(earliest).toBeLessThanOrEqual(next[p]!);
                  // Kafka's rule: a deleted record was in a closed segment whose newest record had expired.
                  for (const r of model[p]!.filter((x) => x.offset < earliest))
                    expect(clock - r.timestamp, `offset ${r.offset}`).toBeGreaterThan(RETENTION_MS);
                  model[p] = model[p]!.filter((x) => x.offset >= earliest);
                  start[p] = earliest;
                }
              } else if (op.kind === 'tick') {
                clock += op.jump;
              } else if (op.kind === 'commit') {
                const p = op.partition % partitions;
                const offset = Math.min(op.at, next[p]!);
                await store.commit(op.group, 'm', p, offset);
                commits.set(`${op.group}/${p}`, offset);
              } else if (op.kind === 'compact') {
                await store.compact('m');
                const stats = store.stats('m');
                for (let p = 0; p < partitions; p++) {
                  const before = model[p]!;
                  const after = (await store.readAll('m', p)).map(view);
                  const byOffset = new Map(before.map((r) => [r.offset, r]));
                  const cleanEnd = stats.find((x) => x.partition === p)!.cleanEnd;
                  const cleaned = firstCleaned[p]!;
                  /** Kafka's rule for tombstones: dropped deleteRetentionMs after their first cleaning. */
                  const expired = (r: ModelRecord) =>
                    r.value === null &&
                    (cleaned.get(r.offset) ?? Number.POSITIVE_INFINITY) + DELETE_RETENTION_MS <= clock;
                  // What is left is what was there, in order; what went had a later record of its key, or was an
                  // expired tombstone.
                  for (const r of after) expect(r).toEqual(byOffset.get(r.offset));
                  const kept = new Set(after.map((r) => r.offset));
                  for (const r of before)
                    if (!kept.has(r.offset))
                      expect(
                        (r.key !== null && before.some((x) => x.offset > r.offset && x.key === r.key)) || expired(r),
                        `offset ${r.offset} dropped`,
                      ).toBe(true);
                  // A pass that ran (the clean point moved) rewrote the whole clean part: no expired tombstone is left.
                  const passRan = before.some((r) => r.offset < cleanEnd && !cleaned.has(r.offset));
                  if (passRan)
                    for (const r of after)
                      expect(r.key !== null && expired(r), `tombstone at ${r.offset} kept`).toBe(false);
                  for (const r of before)
                    if (r.offset < cleanEnd && !cleaned.has(r.offset)) cleaned.set(r.offset, clock);
                  model[p] = after;
                }
              } else {
                await store.close();
                store = openStreams(dir, options);
                roundRobin = 0;
              }
            }
            for (let p = 0; p < partitions; p++) {
              for (const g of ['g1', 'g2']) expect(store.committed(g, 'm', p)).toBe(commits.get(`${g}/${p}`) ?? null);
              expect((await store.readAll('m', p)).map(view)).toEqual(model[p]);
              expect(store.bounds('m', p)).toEqual({ earliest: start[p], next: next[p] });
            }
          } finally {
            await store.close();
          }
        },
      ),
      { numRuns: 40 },
    );
  }, 120_000);
});
