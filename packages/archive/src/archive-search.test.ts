import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { HDFS_2K, makeTempDir } from '@esc/test-fixtures';
import { ArchiveReader } from './archive-reader.js';
import { type LineTally, type SearchOptions, searchChunks } from './archive-search.js';
import { archiveOf } from './test-helpers/round-trip.js';
import type { LineJudge } from './template-verdicts.js';

const temp = makeTempDir('esc-archive-search');
afterAll(() => temp.remove());
const path = archiveOf(temp.path, [HDFS_2K], { blockBytes: 60_000, level: 1 });
const lines = readFileSync(HDFS_2K, 'latin1').split('\n').slice(0, -1);

/** A case-sensitive literal, as LineMatcher of @esc/logtools judges one. */
const literal = (needle: string): LineJudge => ({
  matchesLine: (line) => line.includes(needle),
  impliesMatch: (text) => text.includes(needle),
});

async function search(needle: string, mode: SearchOptions['mode']) {
  const reader = ArchiveReader.open(path);
  const tally: LineTally = { matching: 0, unmatched: 0 };
  const rebuilt: string[] = [];
  try {
    for await (const item of searchChunks(reader, 0, {
      requiredLiterals: [needle],
      ignoreCase: false,
      judge: literal(needle),
      mode,
      onDamage: (err) => {
        throw err;
      },
    })) {
      if (item instanceof Buffer) rebuilt.push(...item.toString('latin1').split('\n').slice(0, -1));
      else {
        tally.matching += item.matching;
        tally.unmatched += item.unmatched;
      }
    }
  } finally {
    reader.close();
  }
  return { tally, rebuilt };
}

describe('archive search', () => {
  it('counts the lines of a literal in a template text without rebuilding any line', async () => {
    const { tally, rebuilt } = await search('PacketResponder', 'tally');
    expect(rebuilt).toEqual([]);
    expect(tally.matching).toBe(lines.filter((l) => l.includes('PacketResponder')).length);
    expect(tally.matching + tally.unmatched).toBe(lines.length);
  });

  it('rebuilds only the lines of templates whose variables decide (a literal across a variable)', async () => {
    const needle = 'Receiving block blk_-1';
    const { tally, rebuilt } = await search(needle, 'tally');
    expect(tally.matching).toBe(0);
    expect(rebuilt.length).toBeGreaterThan(0);
    expect(rebuilt.length).toBeLessThan(lines.length);
    expect(rebuilt.filter((l) => l.includes(needle)).length).toBe(lines.filter((l) => l.includes(needle)).length);
    expect(rebuilt.length + tally.unmatched).toBe(lines.length);
  });

  it('yields blocks that cannot match as empty lines when pruning, the lines in order otherwise', async () => {
    const pruned = await search('no such word', 'prune');
    expect(pruned.rebuilt).toEqual(lines.map(() => ''));
    const all = await search('no such word', 'lines');
    expect(all.rebuilt).toEqual(lines);
  });
});
