import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Memtable, MemtableCursor } from './memtable.js';

const cmp = (a: string, b: string) => Buffer.compare(Buffer.from(a), Buffer.from(b));

/** Versions of each key with their sequence numbers: what a snapshot should see is the newest at or below it. */
function visible(
  versions: { k: string; seq: number; v: string | null }[],
  snapshot: number,
): Map<string, string | null> {
  const m = new Map<string, string | null>();
  for (const e of versions) if (e.seq <= snapshot) m.set(e.k, e.v); // inserted in increasing seq
  return m;
}

const writes = fc.array(
  fc.record({ k: fc.string({ maxLength: 3 }), v: fc.option(fc.string({ maxLength: 4 }), { nil: null }) }),
  { maxLength: 80 },
);

describe('memtable skiplist', () => {
  it('get sees the newest version at or below any snapshot', () => {
    fc.assert(
      fc.property(writes, fc.nat(), (ws, snapRaw) => {
        const t = new Memtable(1);
        const versions = ws.map((w, i) => ({ ...w, seq: i + 1 }));
        for (const e of versions) t.insert(Buffer.from(e.k), e.seq, e.v === null ? null : Buffer.from(e.v));
        const snapshot = versions.length === 0 ? 0 : snapRaw % (versions.length + 1);
        const model = visible(versions, snapshot);
        for (const e of versions) {
          const n = t.get(Buffer.from(e.k), snapshot);
          const want = model.get(e.k);
          if (want === undefined) expect(n).toBeUndefined();
          else expect(n!.value === null ? null : n!.value.toString()).toBe(want);
        }
      }),
    );
  });

  it('cursors walk the visible keys in order, forwards and backwards, from any start', () => {
    fc.assert(
      fc.property(
        writes,
        fc.nat(),
        fc.option(fc.string({ maxLength: 3 }), { nil: null }),
        fc.boolean(),
        fc.boolean(),
        (ws, snapRaw, start, inclusive, reverse) => {
          const t = new Memtable(1);
          const versions = ws.map((w, i) => ({ ...w, seq: i + 1 }));
          for (const e of versions) t.insert(Buffer.from(e.k), e.seq, e.v === null ? null : Buffer.from(e.v));
          const snapshot = versions.length === 0 ? 0 : snapRaw % (versions.length + 1);
          let keys = [...visible(versions, snapshot).entries()].sort((a, b) => cmp(a[0], b[0]));
          if (start !== null) {
            keys = keys.filter(([k]) => {
              const c = cmp(k, start);
              return reverse ? c < 0 || (inclusive && c === 0) : c > 0 || (inclusive && c === 0);
            });
          }
          if (reverse) keys.reverse();
          const c = new MemtableCursor(t, snapshot, reverse);
          c.seek(start === null ? null : Buffer.from(start), inclusive);
          const got: [string, string | null][] = [];
          for (; c.valid; c.next()) got.push([c.key.toString(), c.value === null ? null : c.value.toString()]);
          expect(got).toEqual(keys);
        },
      ),
    );
  });

  it('counts bytes so that a full table can be detected', () => {
    const t = new Memtable(1);
    t.insert(Buffer.from('abc'), 1, Buffer.alloc(100));
    t.insert(Buffer.from('abc'), 2, null);
    expect(t.entries).toBe(2);
    expect(t.bytes).toBeGreaterThan(106);
  });
});
