import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { useTempDirs } from './test-helpers/temp-dirs.js';
import { open, EngineLockedError } from './index.js';

const tempDir = useTempDirs('api');

async function collect(it: AsyncIterable<[Buffer, Buffer]>): Promise<string[]> {
  const out: string[] = [];
  for await (const [k, v] of it) out.push(`${k.toString()}=${v.toString()}`);
  return out;
}

describe('engine (the original project contract)', () => {
  it('stores and returns a 1 MB value, across a flush and a reopen', async () => {
    const dir = tempDir();
    const big = Buffer.alloc(1_000_000);
    for (let i = 0; i < big.length; i++) big[i] = (i * 7919) & 0xff;
    let db = await open(dir);
    await db.put('big', big);
    expect(await db.get('big')).toEqual(big);
    await db.flush();
    expect(await db.get('big')).toEqual(big);
    await db.close();
    db = await open(dir);
    expect(await db.get('big')).toEqual(big);
    await db.close();
  });

  it('holds 1,000 keys, compacts to fewer files, and a new instance recovers them', async () => {
    const dir = tempDir();
    const db = await open(dir, { memtableSize: 4096, autoCompact: false });
    for (let i = 0; i < 1000; i++) await db.put(`key${String(i).padStart(4, '0')}`, `value${i}`);
    for (let i = 0; i < 1000; i += 3) await db.del(`key${String(i).padStart(4, '0')}`);
    await db.flush();
    const before = (await db.stats()).segments.length;
    expect(before).toBeGreaterThan(4);
    const sstBefore = readdirSync(dir).filter((f) => f.endsWith('.sst')).length;
    await db.compact();
    const after = (await db.stats()).segments.length;
    expect(after).toBeLessThan(before);
    expect(readdirSync(dir).filter((f) => f.endsWith('.sst')).length).toBeLessThan(sstBefore);
    expect((await db.stats()).segments.reduce((a, s) => a + s.tombstones, 0)).toBe(0);
    await db.close();
    const again = await open(dir);
    for (let i = 0; i < 1000; i++) {
      const v = await again.get(`key${String(i).padStart(4, '0')}`);
      expect(v?.toString()).toBe(i % 3 === 0 ? undefined : `value${i}`);
    }
    expect((await collect(again.iterator())).length).toBe(1000 - 334);
    await again.close();
  });

  it('measures bloom filter false positives on keys never added, within 25% of theory', async () => {
    const dir = tempDir();
    const db = await open(dir, { bloomBitsPerKey: 10 });
    const n = 20000;
    await db.batch(Array.from({ length: n }, (_, i) => ({ type: 'put' as const, key: `present-${i}`, value: 'x' })));
    await db.flush();
    for (let i = 0; i < 100_000; i++) expect(await db.get(`present-${i}x`)).toBeUndefined();
    const s = await db.stats();
    expect(s.bloom.probes).toBeGreaterThan(50_000);
    expect(s.bloom.theoreticalFpRate).toBeCloseTo(0.0082, 3);
    expect(Math.abs(s.bloom.measuredFpRate! - s.bloom.theoreticalFpRate) / s.bloom.theoreticalFpRate).toBeLessThan(
      0.25,
    );
    await db.close();
  });

  it('measures the filters on demand with random keys, for a process that has made no lookups', async () => {
    const dir = tempDir();
    let db = await open(dir, { bloomBitsPerKey: 10 });
    await db.batch(
      Array.from({ length: 20000 }, (_, i) => ({ type: 'put' as const, key: `present-${i}`, value: 'x' })),
    );
    await db.close();
    db = await open(dir, { bloomBitsPerKey: 10 });
    expect((await db.stats()).bloom.measuredFpRate).toBeNull();
    db.measureBloomFilters(100_000);
    const s = await db.stats();
    expect(s.segments).toHaveLength(1);
    expect(s.bloom.probes).toBe(100_000);
    expect(Math.abs(s.bloom.measuredFpRate! - s.bloom.theoreticalFpRate) / s.bloom.theoreticalFpRate).toBeLessThan(
      0.25,
    );
    await db.close();
  });

  it('lets one process own a directory and names the holder', async () => {
    const dir = tempDir();
    const db = await open(dir);
    await expect(open(dir)).rejects.toThrow(EngineLockedError);
    await expect(open(dir)).rejects.toThrow(String(process.pid));
    await db.close();
    const again = await open(dir);
    await again.close();
  });

  it('iterates ranges forwards, backwards and with a limit over memtable and segments', async () => {
    const dir = tempDir();
    const db = await open(dir, { memtableSize: 256, autoCompact: false });
    for (const k of ['a', 'b', 'c', 'd', 'e', 'f']) await db.put(k, k.toUpperCase());
    await db.del('c');
    await db.put('b', 'B2');
    expect(await collect(db.iterator())).toEqual(['a=A', 'b=B2', 'd=D', 'e=E', 'f=F']);
    expect(await collect(db.iterator({ gt: 'a', lte: 'e' }))).toEqual(['b=B2', 'd=D', 'e=E']);
    expect(await collect(db.iterator({ gte: 'b', lt: 'f', reverse: true }))).toEqual(['e=E', 'd=D', 'b=B2']);
    expect(await collect(db.iterator({ reverse: true, limit: 2 }))).toEqual(['f=F', 'e=E']);
    await db.close();
  });

  it('gives an iterator a snapshot: later writes, flushes and compactions stay invisible', async () => {
    const dir = tempDir();
    const db = await open(dir, { memtableSize: 512, autoCompact: false });
    for (let i = 0; i < 50; i++) await db.put(`k${String(i).padStart(2, '0')}`, `v${i}`);
    const it = db.iterator();
    const first = await it.next();
    expect(first.value[0].toString()).toBe('k00');
    for (let i = 0; i < 50; i++) await db.put(`k${String(i).padStart(2, '0')}`, `changed`);
    await db.del('k10');
    await db.compact();
    const rest = await collect(it);
    expect(rest).toEqual(Array.from({ length: 49 }, (_, i) => `k${String(i + 1).padStart(2, '0')}=v${i + 1}`));
    expect((await db.get('k20'))?.toString()).toBe('changed');
    await db.close();
  });

  it('reports the compaction that is due and the segments it would merge', async () => {
    const dir = tempDir();
    const db = await open(dir, { autoCompact: false, compactionThreshold: 3 });
    for (let round = 0; round < 3; round++) {
      expect((await db.stats()).nextCompaction).toEqual([]);
      await db.put(`key${round}`, 'v');
      await db.flush();
    }
    const s = await db.stats();
    expect(s.segments.map((x) => x.level)).toEqual([0, 0, 0]);
    expect([...s.nextCompaction].sort()).toEqual(s.segments.map((x) => x.id).sort());
    // The policy names the configured trigger, not a fixed text.
    expect(s.compactionPolicy).toContain('level 0 → 1 at 3 segments');
    await db.close();
  });

  it('shares fdatasyncs among concurrent synced writers (group commit)', async () => {
    const dir = tempDir();
    const db = await open(dir, { syncMode: 'always' });
    await Promise.all(Array.from({ length: 64 }, (_, i) => db.put(`k${i}`, `v${i}`)));
    const s = await db.stats();
    expect(s.wal.syncs).toBe(1);
    for (let i = 0; i < 64; i++) expect((await db.get(`k${i}`))?.toString()).toBe(`v${i}`);
    await db.close();
  });

  it('moves non-overlapping segments down a level without rewriting them (trivial move)', async () => {
    const dir = tempDir();
    const key = (i: number) => `key${String(i).padStart(5, '0')}`;
    let db = await open(dir, { compactionThreshold: 4 });
    // A sequential load, one flushed segment of 50 keys per batch: no two segments overlap.
    for (let b = 0; b < 12; b++) {
      await db.batch(
        Array.from({ length: 50 }, (_, j) => ({ type: 'put' as const, key: key(b * 50 + j), value: `v${b * 50 + j}` })),
      );
      await db.flush();
    }
    await db.close();
    db = await open(dir);
    const st = await db.stats();
    expect(st.totals.compactions).toBeGreaterThan(0);
    expect(Math.max(...st.segments.map((s) => s.level))).toBeGreaterThanOrEqual(1);
    // Every segment is still one of the flushed ones: a merge would have written 200 or more keys into one.
    expect(st.segments.map((s) => s.entries)).toEqual(st.segments.map(() => 50));
    for (let i = 0; i < 600; i++) expect((await db.get(key(i)))?.toString()).toBe(`v${i}`);
    expect((await collect(db.iterator())).length).toBe(600);
    expect((await db.verify()).problems).toEqual([]);
    // An overlapping write still merges.
    await db.put(key(10), 'new');
    await db.flush();
    expect((await db.get(key(10)))?.toString()).toBe('new');
    await db.close();
  });

  it('rejects a malformed batch as a whole, writing none of it', async () => {
    const dir = tempDir();
    const db = await open(dir);
    const bad: unknown[] = [
      [
        { type: 'put', key: 'a', value: '1' },
        { type: 'frob', key: 'b', value: '2' },
      ],
      [
        { type: 'put', key: 'a', value: '1' },
        { type: 'put', key: 'b' },
      ],
      [
        { type: 'put', key: 'a', value: '1' },
        { type: 'put', key: 42, value: '2' },
      ],
    ];
    for (const ops of bad) await expect(db.batch(ops as never)).rejects.toThrow(TypeError);
    expect(await db.get('a')).toBeUndefined();
    expect((await db.stats()).wal.bytes).toBe(0);
    await db.close();
  });
});
