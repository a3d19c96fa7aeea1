import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { open, type Engine, type RangeOptions } from './index.js';

/**
 * Random sequences of every operation against a plain Map model. Tiny memtables, blocks and segments make
 * flushes and background compactions happen every few writes, so reads cross memtables, level 0 and
 * deeper levels; reopening replays the log. Every read must agree with the model.
 */

const key = fc.integer({ min: 0, max: 40 }).map((n) => `k${String(n).padStart(2, '0')}`);
const value = fc.oneof(
  fc.string({ maxLength: 12 }),
  fc.integer({ min: 0, max: 3 }).map((n) => 'v'.repeat(n * 40)),
);
const range = fc.record(
  {
    gt: key,
    gte: key,
    lt: key,
    lte: key,
    reverse: fc.boolean(),
    limit: fc.integer({ min: -1, max: 10 }),
  },
  { requiredKeys: [] },
);

type Cmd =
  | { t: 'put'; k: string; v: string }
  | { t: 'del'; k: string }
  | { t: 'batch'; ops: ({ type: 'put'; key: string; value: string } | { type: 'del'; key: string })[] }
  | { t: 'get'; k: string }
  | { t: 'scan'; r: RangeOptions }
  | { t: 'snapshotScan'; r: RangeOptions; k: string; v: string }
  | { t: 'burst'; ops: ({ type: 'put'; key: string; value: string } | { type: 'del'; key: string })[] }
  | { t: 'flush' }
  | { t: 'compact' }
  | { t: 'reopen' };

const op = fc.oneof(
  fc.record({ type: fc.constant('put' as const), key, value }),
  fc.record({ type: fc.constant('del' as const), key }),
);
const cmd: fc.Arbitrary<Cmd> = fc.oneof(
  { weight: 6, arbitrary: fc.record({ t: fc.constant('put' as const), k: key, v: value }) },
  { weight: 3, arbitrary: fc.record({ t: fc.constant('del' as const), k: key }) },
  { weight: 2, arbitrary: fc.record({ t: fc.constant('batch' as const), ops: fc.array(op, { maxLength: 8 }) }) },
  { weight: 4, arbitrary: fc.record({ t: fc.constant('get' as const), k: key }) },
  { weight: 2, arbitrary: fc.record({ t: fc.constant('scan' as const), r: range }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('snapshotScan' as const), r: range, k: key, v: value }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('burst' as const), ops: fc.array(op, { maxLength: 40 }) }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('flush' as const) }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('compact' as const) }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('reopen' as const) }) },
);

function expectedRange(model: Map<string, string>, r: RangeOptions): string[] {
  let keys = [...model.keys()].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
  const cmp = (a: string, b: string) => Buffer.compare(Buffer.from(a), Buffer.from(b));
  const gt = r.gt as string | undefined;
  const gte = r.gte as string | undefined;
  const lt = r.lt as string | undefined;
  const lte = r.lte as string | undefined;
  keys = keys.filter((k) => {
    if (gt !== undefined ? cmp(k, gt) <= 0 : gte !== undefined && cmp(k, gte) < 0) return false;
    if (lt !== undefined ? cmp(k, lt) >= 0 : lte !== undefined && cmp(k, lte) > 0) return false;
    return true;
  });
  if (r.reverse) keys.reverse();
  if (r.limit !== undefined && r.limit >= 0) keys = keys.slice(0, r.limit);
  return keys.map((k) => `${k}=${model.get(k)}`);
}

async function scan(db: Engine, r: RangeOptions): Promise<string[]> {
  const out: string[] = [];
  for await (const [k, v] of db.iterator(r)) out.push(`${k.toString()}=${v.toString()}`);
  return out;
}

const CONFIG = {
  memtableSize: 600,
  blockSize: 128,
  segmentSize: 512,
  compactionThreshold: 2,
  level1MaxBytes: 1024,
  levelSizeMultiplier: 2,
};

describe('engine against a Map model', () => {
  // Each run removes its directory; one whose open() threw is removed here.
  const dirs: string[] = [];
  afterAll(() => {
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });
  it('agrees on every read after random puts, deletes, batches, scans, flushes, compactions and reopens', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(cmd, { minLength: 1, maxLength: 60 }), fc.boolean(), async (cmds, threads) => {
        // Flushes and merges on their worker threads, or in-process (yielding to the event loop).
        const config = { ...CONFIG, flushThread: threads, compactionThread: threads };
        const dir = mkdtempSync(join(tmpdir(), 'esc-engine-model-'));
        dirs.push(dir);
        let db = await open(dir, config);
        const model = new Map<string, string>();
        try {
          for (const c of cmds) {
            switch (c.t) {
              case 'put':
                await db.put(c.k, c.v);
                model.set(c.k, c.v);
                break;
              case 'del':
                await db.del(c.k);
                model.delete(c.k);
                break;
              case 'batch':
                await db.batch(c.ops);
                for (const o of c.ops) {
                  if (o.type === 'put') model.set(o.key, o.value);
                  else model.delete(o.key);
                }
                break;
              case 'burst':
                // Writes issued without waiting: memtables freeze faster than they flush, writers stall,
                // and several frozen memtables flush together; the log order must still be call order.
                await Promise.all(c.ops.map((o) => (o.type === 'put' ? db.put(o.key, o.value) : db.del(o.key))));
                for (const o of c.ops) {
                  if (o.type === 'put') model.set(o.key, o.value);
                  else model.delete(o.key);
                }
                break;
              case 'get':
                expect((await db.get(c.k))?.toString()).toBe(model.get(c.k));
                break;
              case 'scan':
                expect(await scan(db, c.r)).toEqual(expectedRange(model, c.r));
                break;
              case 'snapshotScan': {
                const it = db.iterator(c.r);
                const want = expectedRange(model, c.r);
                await db.put(c.k, c.v);
                model.set(c.k, c.v);
                await db.flush();
                const got: string[] = [];
                for await (const [k, v] of it) got.push(`${k.toString()}=${v.toString()}`);
                expect(got).toEqual(want);
                break;
              }
              case 'flush':
                await db.flush();
                break;
              case 'compact':
                await db.compact();
                break;
              case 'reopen':
                await db.close();
                db = await open(dir, config);
                break;
            }
          }
          expect(await scan(db, {})).toEqual(expectedRange(model, {}));
          expect((await db.verify()).problems).toEqual([]);
        } finally {
          await db.close();
          rmSync(dir, { recursive: true, force: true });
        }
      }),
      { numRuns: 60 },
    );
  });
});
