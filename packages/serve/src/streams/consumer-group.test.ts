import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Consumer, ConsumerGroup } from './consumer-group.js';
import { compareIds, formatId } from './stream-id.js';

/** The PEL as a plain map: id -> [consumer, time, count]. */
type Model = Map<string, { id: bigint; consumer: string; time: number; count: number }>;

const op = fc.oneof(
  fc.record({
    kind: fc.constant('deliver' as const),
    id: fc.integer({ min: 1, max: 40 }),
    consumer: fc.constantFrom('a', 'b', 'c'),
  }),
  fc.record({ kind: fc.constant('ack' as const), id: fc.integer({ min: 1, max: 40 }) }),
  fc.record({ kind: fc.constant('delconsumer' as const), consumer: fc.constantFrom('a', 'b', 'c') }),
);

describe('ConsumerGroup', () => {
  it('keeps its PEL and each consumer’s share as a plain map does, in ID order', () => {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 120 }), (ops) => {
        const group = new ConsumerGroup('g', { ms: 0n, seq: 0n }, -1);
        const model: Model = new Map();
        let time = 0;
        const consumer = (name: string): Consumer => {
          let c = group.consumers.get(name);
          if (c === undefined) group.consumers.set(name, (c = new Consumer(name, time)));
          return c;
        };
        for (const o of ops) {
          time++;
          if (o.kind === 'deliver') {
            const id = { ms: BigInt(o.id), seq: 0n };
            const prev = model.get(formatId(id));
            const count = (prev?.count ?? 0) + 1;
            group.setPending(id, consumer(o.consumer), time, count);
            model.set(formatId(id), { id: BigInt(o.id), consumer: o.consumer, time, count });
          } else if (o.kind === 'ack') {
            const key = formatId({ ms: BigInt(o.id), seq: 0n });
            expect(group.removePending(key)).toBe(model.delete(key));
          } else {
            const expected = [...model.values()].filter((e) => e.consumer === o.consumer).length;
            const had = group.consumers.has(o.consumer);
            expect(group.deleteConsumer(o.consumer)).toBe(had ? expected : 0);
            for (const [k, e] of model) if (e.consumer === o.consumer) model.delete(k);
          }
          const want = [...model.values()].sort((a, b) => (a.id < b.id ? -1 : 1));
          const got = [...group.pendingFrom({ ms: 0n, seq: 0n })];
          expect(got.map((p) => [p.id.ms, p.consumer.name, p.deliveryTime, p.deliveryCount])).toEqual(
            want.map((e) => [e.id, e.consumer, e.time, e.count]),
          );
          expect(group.pendingCount).toBe(model.size);
          for (const c of group.consumers.values()) {
            const mine = group.consumerPendingFrom(c, { ms: 0n, seq: 0n });
            expect(mine.map((p) => p.id.ms)).toEqual(want.filter((e) => e.consumer === c.name).map((e) => e.id));
            for (let i = 1; i < mine.length; i++) expect(compareIds(mine[i - 1]!.id, mine[i]!.id)).toBe(-1);
          }
          const from = { ms: 20n, seq: 0n };
          expect([...group.pendingFrom(from)].map((p) => p.id.ms)).toEqual(
            want.filter((e) => e.id >= 20n).map((e) => e.id),
          );
        }
      }),
    );
  });
});
