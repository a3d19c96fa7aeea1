import { describe, expect, it } from 'vitest';
import { renderEngineText, type TextPalette } from './terminal-renderer.js';
import { NOW, sampleStats } from './test-helpers/sample-stats.js';

const plain: TextPalette = { bold: (s) => s, dim: (s) => s, red: (s) => s, yellow: (s) => s, cyan: (s) => s, green: (s) => s, magenta: (s) => s };
const tagged: TextPalette = { ...plain, yellow: (s) => `<y>${s}</y>`, red: (s) => `<r>${s}</r>` };

describe('renderEngineText', () => {
  const text = renderEngineText(sampleStats(), plain, { now: NOW });

  it('lists every live segment under its level, newest first in level 0', () => {
    const lines = text.split('\n');
    const l0 = lines.indexOf('level 0: 2 segments, 14.8 KiB');
    const l1 = lines.indexOf('level 1: 2 segments, 10.9 KiB');
    expect(l0).toBeGreaterThan(0);
    expect(l1).toBeGreaterThan(l0);
    const idsAt = (from: number) => lines.slice(from + 1, from + 5).filter((l) => /^ {2}#\d/.test(l)).map((l) => l.trim().split(' ')[0]);
    expect(idsAt(l0)).toEqual(['#4', '#3']);
    expect(idsAt(l1)).toEqual(['#1', '#2']);
  });

  it('draws key ranges on the shared axis: disjoint level-1 segments fill opposite halves', () => {
    const bar = (id: number) => {
      const lines = text.split('\n');
      const at = lines.findIndex((l) => l.trimStart().startsWith(`#${id} `));
      return /\[([·█]+)\]/.exec(lines[at + 1]!)![1]!;
    };
    const b1 = bar(1);
    const b2 = bar(2);
    expect(b1).toHaveLength(30);
    expect(b1.indexOf('█')).toBeLessThan(b2.indexOf('█'));
    expect(b1.lastIndexOf('█')).toBeLessThanOrEqual(b2.indexOf('█'));
  });

  it('marks the segments of the next compaction and shows memtable, WAL and bloom figures', () => {
    const coloured = renderEngineText(sampleStats(), tagged, { now: NOW });
    expect(coloured.match(/<y>◆ next compaction<\/y>/g)).toHaveLength(2);
    expect(text).toContain('next compaction merges #3, #4');
    expect(text).toMatch(/memtable +120\.6 KiB · 789 entries · 1 immutable awaiting flush/);
    expect(text).toMatch(/wal +195\.3 KiB · 2 files · sync: batch/);
    expect(text).toContain('theory 0.82% false positives');
    expect(coloured).toContain('<r>2 tombstones (1.0%)</r>');
  });

  it('says so when there are no segments', () => {
    expect(renderEngineText(sampleStats([], []), plain, { now: NOW })).toContain('no segments yet');
  });
});
