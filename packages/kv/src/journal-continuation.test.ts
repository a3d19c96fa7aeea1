import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CorruptionError } from '@esc/core';
import { openKv } from './kv-store.js';
import { renderSnapshot } from './snapshot-writer.js';
import { tempStore } from './test-helpers/temp-store.js';

// The states a live store's compaction leaves between its steps (live-compaction.ts): snapshot G+1 saying it
// holds journal G up to byte X, beside journal G still being appended to.
describe('a snapshot that continues an older journal (journalFrom)', () => {
  let store: ReturnType<typeof tempStore>;
  beforeEach(() => {
    store = tempStore();
  });
  afterEach(() => store.cleanup());

  /** Generation 1 compacted with a=1 b=1, then a=2 c=3 journalled after offset X; snapshot 2 made at X. */
  async function continued(offset?: (x: number, journal: Buffer) => number): Promise<void> {
    const kv = await openKv(store.path);
    await kv.set('a', '1');
    await kv.set('b', '1');
    await kv.compact();
    await kv.set('z', 'before');
    const x = statSync(`${store.path}.journal`).size;
    await kv.set('a', '2');
    await kv.set('c', '3');
    await kv.close();
    const entries: [string, { value: string; expiresAt: null }][] = [
      ['a', { value: '1', expiresAt: null }],
      ['b', { value: '1', expiresAt: null }],
      ['z', { value: 'before', expiresAt: null }],
    ];
    const at = offset ? offset(x, readFileSync(`${store.path}.journal`)) : x;
    writeFileSync(store.path, renderSnapshot(2, entries, new Date(), { generation: 1, offset: at }));
  }

  it('applies the journal from that byte on: point reads, listings and a full check agree', async () => {
    await continued();
    const kv = await openKv(store.path);
    expect(await kv.mget(['a', 'b', 'c', 'z'])).toEqual(['2', '1', '3', 'before']);
    expect((await kv.keys()).sort()).toEqual(['a', 'b', 'c', 'z']);
    await kv.verify();
    // A writer keeps appending to the continued journal, and its compaction folds it.
    await kv.set('d', '4');
    await kv.compact();
    await kv.close();
    const again = await openKv(store.path);
    expect(await again.mget(['a', 'b', 'c', 'd', 'z'])).toEqual(['2', '1', '3', '4', 'before']);
    await again.close();
  });

  it('goes on from an offset at the journal end: what is appended after it is read', async () => {
    await continued((_x, journal) => journal.length);
    const kv = await openKv(store.path);
    expect(await kv.mget(['a', 'c'])).toEqual(['1', null]);
    await kv.set('c', 'after');
    await kv.close();
    expect(readFileSync(`${store.path}.journal`, 'utf8')).toContain('"generation":1}');
    const again = await openKv(store.path);
    expect(await again.mget(['a', 'b', 'c', 'z'])).toEqual(['1', '1', 'after', 'before']);
    await again.verify();
    await again.close();
  });

  it('refuses an offset inside a line', async () => {
    await continued((x) => x - 5);
    await expect(openKv(store.path)).rejects.toBeInstanceOf(CorruptionError);
  });

  it('skips a journal that ends before the offset (unsynced lines a power cut took): the snapshot has them', async () => {
    await continued((_x, journal) => journal.length + 100);
    const kv = await openKv(store.path);
    expect(await kv.mget(['a', 'b', 'c', 'z'])).toEqual(['1', '1', null, 'before']);
    await kv.set('e', '5');
    await kv.close();
    const again = await openKv(store.path);
    expect(await again.mget(['a', 'e'])).toEqual(['1', '5']);
    await again.verify();
    await again.close();
  });
});
