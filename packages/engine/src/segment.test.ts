import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { BlockCache } from './block-cache.js';
import { SegmentCursor, SegmentReader, openSegmentReader } from './segment-reader.js';
import { SegmentBuilder, writeSegmentFile } from './segment-writer.js';

const dir = mkdtempSync(join(tmpdir(), 'esc-engine-segment-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let fileNo = 0;

const cmp = (a: string, b: string) => Buffer.compare(Buffer.from(a), Buffer.from(b));
const entries = fc
  .uniqueArray(fc.record({ k: fc.string({ minLength: 0, maxLength: 6 }), v: fc.option(fc.string({ maxLength: 30 }), { nil: null }) }), { selector: (e) => e.k, minLength: 1, maxLength: 120 })
  .map((es) => es.sort((a, b) => cmp(a.k, b.k)));

async function build(es: { k: string; v: string | null }[], blockSize: number): Promise<SegmentReader> {
  const b = new SegmentBuilder(blockSize, 10);
  for (const e of es) b.add(Buffer.from(e.k), e.v === null ? null : Buffer.from(e.v));
  const id = ++fileNo;
  const path = join(dir, `${String(id).padStart(6, '0')}.sst`);
  await writeSegmentFile(path, b.finish().chunks);
  return SegmentReader.open(id, path, new BlockCache(1 << 20), { probes: 0, falsePositives: 0 });
}

describe('segment writer and reader', () => {
  it('returns every entry (tombstones as null) and nothing else', async () => {
    await fc.assert(
      fc.asyncProperty(entries, fc.array(fc.string({ maxLength: 6 })), fc.integer({ min: 64, max: 512 }), async (es, probes, blockSize) => {
        const r = await build(es, blockSize);
        const model = new Map(es.map((e) => [e.k, e.v]));
        for (const e of es) expect(r.get(Buffer.from(e.k))?.toString() ?? r.get(Buffer.from(e.k))).toBe(e.v);
        for (const p of probes) if (!model.has(p)) expect(r.get(Buffer.from(p))).toBeUndefined();
        expect(r.props.entries).toBe(es.length);
        expect(r.props.tombstones).toBe(es.filter((e) => e.v === null).length);
        expect(r.minKey.toString()).toBe(es[0]!.k);
        expect(r.maxKey.toString()).toBe(es[es.length - 1]!.k);
        expect(r.verify()).toEqual([]);
        r.unref();
      }),
      { numRuns: 60 },
    );
  });

  it('cursors seek and walk in both directions across blocks', async () => {
    await fc.assert(
      fc.asyncProperty(entries, fc.option(fc.string({ maxLength: 6 }), { nil: null }), fc.boolean(), fc.boolean(), async (es, start, inclusive, reverse) => {
        const r = await build(es, 64);
        let want = es.filter((e) => {
          if (start === null) return true;
          const c = cmp(e.k, start);
          return reverse ? c < 0 || (inclusive && c === 0) : c > 0 || (inclusive && c === 0);
        });
        if (reverse) want = want.reverse();
        const c = new SegmentCursor(r, reverse);
        c.seek(start === null ? null : Buffer.from(start), inclusive);
        const got: { k: string; v: string | null }[] = [];
        for (; c.valid; c.next()) got.push({ k: c.key.toString(), v: c.value === null ? null : c.value.toString() });
        expect(got).toEqual(want);
        r.unref();
      }),
      { numRuns: 60 },
    );
  });

  it('opens a standalone file for dumping', async () => {
    const r = await build([{ k: 'a', v: '1' }, { k: 'b', v: null }], 4096);
    const h = await openSegmentReader(r.path);
    const got = [];
    for await (const e of h.entries()) got.push([e.key.toString(), e.value?.toString() ?? null]);
    expect(got).toEqual([['a', '1'], ['b', null]]);
    expect(h.info.entries).toBe(2);
    expect(h.info.tombstones).toBe(1);
    expect(h.info.bloomHashes).toBe(7);
    await h.close();
    r.unref();
  });
});
