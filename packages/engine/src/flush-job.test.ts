import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { flushJobOf, type FlushJob } from './flush-job.js';
import { Memtable } from './memtable.js';

/** The entries a job would write, decoded from its buffers and index. */
function entries(job: FlushJob): [string, string | null][] {
  const views = job.buffers.map((b) => Buffer.from(b));
  const out: [string, string | null][] = [];
  for (let i = 0; i < job.index.length; i += 6) {
    const [kb, ko, kl, vb, vo, vl] = job.index.subarray(i, i + 6);
    out.push([
      views[kb!]!.toString('latin1', ko!, ko! + kl!),
      vb! < 0 ? null : views[vb!]!.toString('latin1', vo!, vo! + vl!),
    ]);
  }
  return out;
}

const write = fc.record({
  k: fc.string({ maxLength: 3 }),
  v: fc.option(fc.string({ maxLength: 4 }), { nil: null }),
  table: fc.nat(3),
});

describe('flush jobs', () => {
  it('hold the newest version of every key of several memtables, tombstones included, in key order', () => {
    fc.assert(
      fc.property(fc.array(write, { maxLength: 120 }), (ws) => {
        // Writes go to memtables in time order: a write's table index never decreases.
        const sorted = ws.slice().sort((a, b) => a.table - b.table);
        const tables = [0, 1, 2, 3].map((n) => new Memtable(n));
        const model = new Map<string, string | null>();
        sorted.forEach((w, seq) => {
          const key = Buffer.from(w.k, 'latin1');
          // Keys and values as slices of one record, as the write path stores them.
          const record = Buffer.concat([Buffer.from('xx'), key, Buffer.from(w.v ?? '', 'latin1')]);
          tables[w.table]!.insertAt(
            record,
            2,
            key.length,
            seq + 1,
            w.v === null ? null : record,
            2 + key.length,
            w.v?.length ?? 0,
          );
          model.set(w.k, w.v);
        });
        const want = [...model].sort(([a], [b]) => Buffer.compare(Buffer.from(a, 'latin1'), Buffer.from(b, 'latin1')));
        expect(entries(flushJobOf(tables, '/unused', 4096, 10))).toEqual(want);
      }),
    );
  });

  it('walk memtables whose key ranges do not overlap one after the other (a sequential load), in key order', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.string({ minLength: 1, maxLength: 4 }), { maxLength: 60 }),
        fc.array(fc.nat(59), { maxLength: 3 }),
        (keys, cuts) => {
          const sorted = keys.slice().sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
          const bounds = [0, ...cuts.map((c) => c % (sorted.length + 1)).sort((a, b) => a - b), sorted.length];
          // Written in any table order: the later tables (newer) may hold the smaller keys.
          const tables = bounds
            .slice(1)
            .map((end, i) => {
              const t = new Memtable(i);
              sorted.slice(bounds[i], end).forEach((k, j) => {
                t.insert(Buffer.from(k), i * 100 + j + 1, Buffer.from(`v${k}`));
              });
              return t;
            })
            .reverse();
          expect(entries(flushJobOf(tables, '/unused', 4096, 10))).toEqual(sorted.map((k) => [k, `v${k}`]));
        },
      ),
    );
  });
});
