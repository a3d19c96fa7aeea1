import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EscLevel } from './abstract-level-adapter.js';

// abstract-level/test (test/abstract-level.test.ts) judges the interface; these pin down what is ours:
// persistence through the engine, locking, binary data, and the documented seek() behaviour.
let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'esc-level-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('EscLevel', () => {
  it('keeps data across close and reopen, through flushed segments', async () => {
    const db = new EscLevel(join(dir, 'db'), { config: { memtableSize: 4096 } });
    await db.open();
    const ops = Array.from({ length: 500 }, (_, i) => ({
      type: 'put' as const,
      key: `k${String(i).padStart(3, '0')}`,
      value: `v${i}`,
    }));
    await db.batch(ops);
    await db.del('k007');
    await db.close();
    const again = new EscLevel(join(dir, 'db'));
    await again.open();
    expect((await again.escEngine.stats()).segments.length).toBeGreaterThan(0);
    expect(await again.get('k499')).toBe('v499');
    expect(await again.get('k007')).toBeUndefined();
    expect(await again.keys({ gte: 'k005', lt: 'k010' }).all()).toEqual(['k005', 'k006', 'k008', 'k009']);
    await again.close();
  });

  it('round-trips binary keys and values with the buffer and view encodings', async () => {
    const db = new EscLevel<Buffer, Buffer>(join(dir, 'db'), { keyEncoding: 'buffer', valueEncoding: 'buffer' });
    const key = Buffer.from([0, 255, 10, 0]);
    const value = Buffer.from([1, 2, 3, 0, 254]);
    await db.put(key, value);
    expect(await db.get(key)).toEqual(value);
    const view = await db.get(key, { valueEncoding: 'view' });
    expect(view).toBeInstanceOf(Uint8Array);
    expect([...(view as Uint8Array)]).toEqual([...value]);
    expect(await db.keys().all()).toEqual([key]);
    await db.close();
  });

  it('fails to open a directory another owner holds, with the Level code LEVEL_LOCKED', async () => {
    const first = new EscLevel(join(dir, 'db'));
    await first.open();
    const second = new EscLevel(join(dir, 'db'));
    const err = await second.open().then(
      () => null,
      (e: Error & { code?: string; cause?: Error & { code?: string } }) => e,
    );
    expect(err?.code).toBe('LEVEL_DATABASE_NOT_OPEN');
    expect(err?.cause?.code).toBe('LEVEL_LOCKED');
    expect(err?.cause?.message).toMatch(/locked by process \d+/);
    await first.close();
  });

  it('seek() restarts the scan at the target within the original range, on the current state', async () => {
    const db = new EscLevel(join(dir, 'db'));
    await db.batch(['a', 'c', 'e', 'g'].map((key) => ({ type: 'put' as const, key, value: key })));
    const it = db.keys({ lt: 'g' });
    expect(await it.next()).toBe('a');
    await db.put('d', 'd');
    it.seek('b');
    // The scan made by seek() is a fresh snapshot (the manifest declares implicitSnapshots: false).
    expect(await it.all()).toEqual(['c', 'd', 'e']);
    const back = db.keys({ reverse: true, gt: 'a' });
    back.seek('f');
    expect(await back.all()).toEqual(['e', 'd', 'c']);
    await db.close();
  });
});
