import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { crc32 } from 'node:zlib';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { BlockCache } from './block-cache.js';
import { DataBlockBuilder } from './data-block.js';
import { encodeFooter, FOOTER_SIZE, writeU64 } from './segment-format.js';
import { SegmentCursor } from './segment-cursor.js';
import { openSegmentReader } from './segment-file-handle.js';
import { SegmentReader } from './segment-reader.js';
import { verifySegment } from './segment-verify.js';
import { SegmentBuilder, writeSegmentFile } from './segment-writer.js';

const dir = mkdtempSync(join(tmpdir(), 'esc-engine-segment-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let fileNo = 0;

const cmp = (a: string, b: string) => Buffer.compare(Buffer.from(a), Buffer.from(b));
const entries = fc
  .uniqueArray(
    fc.record({
      k: fc.string({ minLength: 0, maxLength: 6 }),
      v: fc.option(fc.string({ maxLength: 30 }), { nil: null }),
    }),
    { selector: (e) => e.k, minLength: 1, maxLength: 120 },
  )
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
      fc.asyncProperty(
        entries,
        fc.array(fc.string({ maxLength: 6 })),
        fc.integer({ min: 64, max: 512 }),
        async (es, probes, blockSize) => {
          const r = await build(es, blockSize);
          const model = new Map(es.map((e) => [e.k, e.v]));
          for (const e of es) expect(r.get(Buffer.from(e.k))?.toString() ?? r.get(Buffer.from(e.k))).toBe(e.v);
          for (const p of probes) if (!model.has(p)) expect(r.get(Buffer.from(p))).toBeUndefined();
          expect(r.props.entries).toBe(es.length);
          expect(r.props.tombstones).toBe(es.filter((e) => e.v === null).length);
          expect(r.minKey.toString()).toBe(es[0]!.k);
          expect(r.maxKey.toString()).toBe(es[es.length - 1]!.k);
          expect(verifySegment(r)).toEqual([]);
          r.unref();
        },
      ),
      { numRuns: 60 },
    );
  });

  it('cursors seek and walk in both directions across blocks', async () => {
    await fc.assert(
      fc.asyncProperty(
        entries,
        fc.option(fc.string({ maxLength: 6 }), { nil: null }),
        fc.boolean(),
        fc.boolean(),
        async (es, start, inclusive, reverse) => {
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
        },
      ),
      { numRuns: 60 },
    );
  });

  it('stores compressible blocks compressed, keeps incompressible ones raw, and reads both', async () => {
    const es = Array.from({ length: 200 }, (_, i) => ({
      k: `key${String(i).padStart(5, '0')}`,
      v: i % 2 === 0 ? 'x'.repeat(100) : randomText(100, i),
    }));
    const r = await build(es, 4096);
    for (const e of es) expect(r.get(Buffer.from(e.k))?.toString()).toBe(e.v);
    expect(verifySegment(r)).toEqual([]);
    // 200 entries of ~116 bytes (half of them repetitive) store in well under their raw size.
    expect(r.sizeBytes).toBeLessThan(200 * 116 * 0.8);
    r.unref();
    const raw = Array.from({ length: 50 }, (_, i) => ({
      k: `r${String(i).padStart(3, '0')}`,
      v: randomText(100, i + 1000),
    }));
    const rr = await build(raw, 4096);
    expect(readFileSync(rr.path)[rr.sizeBytes - FOOTER_SIZE + 36]).toBe(2);
    for (const e of raw) expect(rr.get(Buffer.from(e.k))?.toString()).toBe(e.v);
    expect(verifySegment(rr)).toEqual([]);
    rr.unref();
  });

  it('reads a format version 1 segment (raw data blocks, crc32 trailer without a type byte)', async () => {
    const path = join(dir, `${String(++fileNo).padStart(6, '0')}.sst`);
    writeFileSync(
      path,
      versionOneSegment([
        ['a', '1'],
        ['b', null],
        ['c', '333'],
      ]),
    );
    const r = SegmentReader.open(fileNo, path, new BlockCache(1 << 20), null);
    expect(r.get(Buffer.from('a'))?.toString()).toBe('1');
    expect(r.get(Buffer.from('b'))).toBeNull();
    expect(r.get(Buffer.from('c'))?.toString()).toBe('333');
    expect(r.get(Buffer.from('d'))).toBeUndefined();
    expect(verifySegment(r)).toEqual([]);
    r.unref();
  });

  it('opens a standalone file for dumping', async () => {
    const r = await build(
      [
        { k: 'a', v: '1' },
        { k: 'b', v: null },
      ],
      4096,
    );
    const h = await openSegmentReader(r.path);
    const got = [];
    for await (const e of h.entries()) got.push([e.key.toString(), e.value?.toString() ?? null]);
    expect(got).toEqual([
      ['a', '1'],
      ['b', null],
    ]);
    expect(h.info.entries).toBe(2);
    expect(h.info.tombstones).toBe(1);
    expect(h.info.bloomHashes).toBe(7);
    await h.close();
    r.unref();
  });
});

/** Deterministic printable noise that snappy cannot shrink by 12.5%. */
function randomText(n: number, seed: number): string {
  let x = seed * 2654435761 + 1;
  let out = '';
  for (let i = 0; i < n; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    out += String.fromCharCode(33 + ((x >>> 16) % 94));
  }
  return out;
}

/** A segment as format version 1 wrote it: raw blocks, each followed by its crc32 only, and no filter. */
function versionOneSegment(es: [string, string | null][]): Buffer {
  const parts: Buffer[] = [];
  let size = 0;
  const push = (b: Buffer): { offset: number; length: number } => {
    const crc = Buffer.alloc(4);
    crc.writeUInt32LE(crc32(b));
    parts.push(b, crc);
    const at = { offset: size, length: b.length };
    size += b.length + 4;
    return at;
  };
  const blk = new DataBlockBuilder(256);
  for (const [k, v] of es) blk.add(Buffer.from(k), v === null ? null : Buffer.from(v));
  const data = push(blk.finish());
  const last = Buffer.from(es[es.length - 1]![0]);
  const index = Buffer.alloc(16 + last.length);
  writeU64(index, data.offset, 0);
  index.writeUInt32LE(data.length, 8);
  index.writeUInt32LE(last.length, 12);
  last.copy(index, 16);
  const ix = push(index);
  const bl = push(Buffer.alloc(0));
  const props = {
    entries: es.length,
    tombstones: es.filter((e) => e[1] === null).length,
    minKey: Buffer.from(es[0]![0]).toString('hex'),
    maxKey: last.toString('hex'),
    createdAt: 0,
    bloomBitsPerKey: 0,
    bloomHashes: 0,
  };
  const pr = push(Buffer.from(JSON.stringify(props)));
  const footer = encodeFooter({
    indexOffset: ix.offset,
    indexLength: ix.length,
    bloomOffset: bl.offset,
    bloomLength: bl.length,
    propsOffset: pr.offset,
    propsLength: pr.length,
    version: 1,
  });
  return Buffer.concat([...parts, footer]);
}
