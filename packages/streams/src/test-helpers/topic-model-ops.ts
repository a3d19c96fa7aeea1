import fc from 'fast-check';

/** A record as the model tests compare it: keys and values as text. */
export interface ModelRecord {
  offset: number;
  timestamp: number;
  key: string | null;
  value: string | null;
}

/** The operations both topic model tests (the embedded log, Redis Streams) run against their model. */
export type CommonTopicOp =
  | { kind: 'append'; records: { key: string | null; value: string | null; dt: number }[] }
  | { kind: 'readOffset'; partition: number; at: number }
  | { kind: 'readTime'; partition: number; at: number; pick: number | null; delta: number }
  | { kind: 'reopen' }
  | { kind: 'retention'; jump: number }
  | { kind: 'commit'; group: string; partition: number; at: number };

export interface TopicOpLimits {
  /** The highest partition number an op names (beyond the topic's own: reads of a missing partition). */
  maxPartition: number;
  maxReadOffset: number;
  maxCommitOffset: number;
  maxAppend: number;
  readTimeWeight: number;
}

const keyArb = fc.option(fc.constantFrom('a', 'b', 'c', 'user-1', 'user-2', 'zz'), { nil: null, freq: 3 });
const valueArb = fc.option(fc.string({ maxLength: 30 }), { nil: null, freq: 8 });

/** The weighted arbitraries of the common ops, for `fc.oneof` beside a test's own. */
export function commonTopicOps(limits: TopicOpLimits): fc.WeightedArbitrary<CommonTopicOp>[] {
  return [
    {
      weight: 6,
      arbitrary: fc.record({
        kind: fc.constant('append' as const),
        records: fc.array(fc.record({ key: keyArb, value: valueArb, dt: fc.integer({ min: -50, max: 200 }) }), {
          minLength: 1,
          maxLength: limits.maxAppend,
        }),
      }),
    },
    {
      weight: 2,
      arbitrary: fc.record({
        kind: fc.constant('readOffset' as const),
        partition: fc.nat(limits.maxPartition),
        at: fc.nat(limits.maxReadOffset),
      }),
    },
    {
      weight: limits.readTimeWeight,
      arbitrary: fc.record({
        kind: fc.constant('readTime' as const),
        partition: fc.nat(limits.maxPartition),
        at: fc.nat(6000),
        // Mostly a time next to one the partition holds, where an off-by-one would show.
        pick: fc.option(fc.nat(100), { nil: null, freq: 4 }),
        delta: fc.integer({ min: -1, max: 1 }),
      }),
    },
    { weight: 1, arbitrary: fc.constant({ kind: 'reopen' as const }) },
    {
      weight: 1,
      arbitrary: fc.record({ kind: fc.constant('retention' as const), jump: fc.integer({ min: 0, max: 600 }) }),
    },
    {
      weight: 1,
      arbitrary: fc.record({
        kind: fc.constant('commit' as const),
        group: fc.constantFrom('g1', 'g2'),
        partition: fc.nat(limits.maxPartition),
        at: fc.nat(limits.maxCommitOffset),
      }),
    },
  ];
}

/** A read record as the model holds it. */
export function modelView(r: {
  offset: number;
  timestamp: number;
  key: Buffer | null;
  value: Buffer | null;
}): ModelRecord {
  return {
    offset: r.offset,
    timestamp: r.timestamp,
    key: r.key?.toString() ?? null,
    value: r.value?.toString() ?? null,
  };
}
