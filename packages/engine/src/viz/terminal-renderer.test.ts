import { describe, expect, it } from 'vitest';
import { renderEngineText, type TextPalette } from './terminal-renderer.js';
import { NOW, sampleStats, segment } from './test-helpers/sample-stats.js';

const plain: TextPalette = {
  bold: (s) => s,
  dim: (s) => s,
  red: (s) => s,
  yellow: (s) => s,
  cyan: (s) => s,
  green: (s) => s,
  magenta: (s) => s,
};
const tagged: TextPalette = { ...plain, yellow: (s) => `<y>${s}</y>`, red: (s) => `<r>${s}</r>` };

describe('renderEngineText', () => {
  const text = renderEngineText(sampleStats(), plain, { now: NOW });

  it('lists every live segment under its level, newest first in level 0', () => {
    const lines = text.split('\n');
    const l0 = lines.indexOf('level 0: 2 segments, 14.8 KiB');
    const l1 = lines.indexOf('level 1: 2 segments, 10.9 KiB');
    expect(l0).toBeGreaterThan(0);
    expect(l1).toBeGreaterThan(l0);
    const idsAt = (from: number) =>
      lines
        .slice(from + 1, from + 5)
        .filter((l) => /^ {2}#\d/.test(l))
        .map((l) => l.trim().split(' ')[0]);
    expect(idsAt(l0)).toEqual(['#4', '#3']);
    expect(idsAt(l1)).toEqual(['#1', '#2']);
  });

  it('draws key ranges on the shared key axis, in proportion', () => {
    const stats = sampleStats(
      [
        segment(1, 1, 'user:00000', 'user:49999'),
        segment(2, 1, 'user:50000', 'user:99999'),
        segment(3, 0, 'user:20000', 'user:29999'),
      ],
      [],
    );
    const lines = renderEngineText(stats, plain, { now: NOW }).split('\n');
    const bar = (id: number) =>
      /\[([·█]+)\]/.exec(lines[lines.findIndex((l) => l.trimStart().startsWith(`#${id} `)) + 1]!)![1]!;
    const span = (b: string) => [b.indexOf('█'), b.lastIndexOf('█')];
    // Two halves of the key space: side by side, meeting in the middle, together the whole width.
    expect(span(bar(1))[0]).toBe(0);
    expect(span(bar(2))[1]).toBe(29);
    expect(span(bar(1))[1]).toBeLessThan(span(bar(2))[0]!);
    expect(Math.abs(span(bar(2))[0]! - 15)).toBeLessThanOrEqual(2);
    // user:2xxxx lies inside the first half, a fifth of the way in, a tenth wide.
    expect(span(bar(3))[0]).toBeGreaterThan(span(bar(1))[0]!);
    expect(span(bar(3))[1]).toBeLessThan(span(bar(1))[1]!);
    expect(Math.abs(span(bar(3))[0]! - 6)).toBeLessThanOrEqual(1);
    expect(bar(3).replace(/·/g, '').length).toBeLessThanOrEqual(5);
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
