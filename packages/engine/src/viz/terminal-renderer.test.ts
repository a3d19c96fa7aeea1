import { describe, expect, it } from 'vitest';
import { AXIS_WIDTH, renderEngineText, type TextPalette } from './terminal-renderer.js';
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
const tagged: TextPalette = { ...plain, yellow: (s) => `<y>${s}</y>` };
const even = { entries: 1000 };

/** The axis part (between │ and │) of the lines of a picture, by line. */
function axisOf(line: string): string {
  const m = /│(.*)│/.exec(line);
  expect(m, line).not.toBeNull();
  expect([...m![1]!]).toHaveLength(AXIS_WIDTH);
  return m![1]!;
}
const span = (axis: string, ch = /[█▓]/) => {
  const cells = [...axis];
  const first = cells.findIndex((c) => ch.test(c));
  let last = cells.length - 1;
  while (last >= 0 && !ch.test(cells[last]!)) last--;
  return [first, last];
};

describe('renderEngineText', () => {
  it('draws the levels down and each segment at its key range across', () => {
    const stats = sampleStats(
      [
        segment(1, 1, 'user:00000', 'user:49999', even),
        segment(2, 1, 'user:50000', 'user:99999', even),
        // Few entries: the axis, which gives room by entries, stays even.
        segment(3, 0, 'user:20000', 'user:29999', { entries: 1 }),
      ],
      [],
    );
    const lines = renderEngineText(stats, plain, { now: NOW }).split('\n');
    const l0 = lines.findIndex((l) => l.startsWith('L0  1 segment, '));
    const l1 = lines.findIndex((l) => l.startsWith('L1  2 segments, '));
    expect(l0).toBeGreaterThan(0);
    expect(l1).toBe(l0 + 1);
    // Level 1: two halves of the key space, told apart by alternating blocks, together the whole width.
    const a1 = axisOf(lines[l1]!);
    expect(span(a1, /█/)).toEqual([0, AXIS_WIDTH / 2 - 1]);
    expect(span(a1, /▓/)).toEqual([AXIS_WIDTH / 2, AXIS_WIDTH - 1]);
    // Level 0's one segment: user:2xxxx, a tenth of the width, starting about a fifth of the way in.
    const [from, to] = span(axisOf(lines[l0]!));
    expect(Math.abs(from! - 0.2 * AXIS_WIDTH)).toBeLessThanOrEqual(2);
    expect(Math.abs(to! - from! + 1 - 0.1 * AXIS_WIDTH)).toBeLessThanOrEqual(2);
  });

  it('gives a shallow level-0 stack a line per row and a deep one a line of overlap depth', () => {
    const shallow = sampleStats(
      [segment(1, 0, 'k000', 'k999', even), segment(2, 0, 'k100', 'k300', even), segment(3, 0, 'k500', 'k900', even)],
      [],
    );
    const lines = renderEngineText(shallow, plain, { now: NOW }).split('\n');
    const at = lines.findIndex((l) => l.startsWith('L0  3 segments'));
    // Newest first: #3 and #2 share the top row, #1 below spans the width.
    expect([...axisOf(lines[at]!)].filter((c) => c !== ' ').length).toBeLessThan(AXIS_WIDTH);
    expect(span(axisOf(lines[at + 1]!))).toEqual([0, AXIS_WIDTH - 1]);
    expect(lines[at + 2]!.trim()).toBe('');

    const deep = Array.from({ length: 200 }, (_, i) => segment(i + 1, 0, 'k000', i < 100 ? 'k499' : 'k999', even));
    const text = renderEngineText(sampleStats(deep, []), plain, { now: NOW });
    const line = text.split('\n').find((l) => l.startsWith('L0  200 segments'))!;
    expect(line).toContain('up to 200 deep');
    const axis = [...axisOf(line)];
    // Twice as many segments over the left half as over the right: a darker shade there.
    expect(axis[5]).toBe('█');
    expect(axis[AXIS_WIDTH - 5]).toBe('▒');
  });

  it('marks the next compaction: its segments in yellow, its levels with ◆', () => {
    const coloured = renderEngineText(sampleStats(), tagged, { now: NOW });
    const lines = coloured.split('\n');
    const l0 = lines.find((l) => l.startsWith('L0'))!;
    const l1 = lines.find((l) => l.startsWith('L1'))!;
    expect(l0).toContain('<y>◆</y>');
    expect(l1).not.toContain('<y>');
    expect(coloured).toContain('next compaction merges #3, #4');
  });

  it('shows the memtable, WAL and bloom figures, and says so when there are no segments', () => {
    const text = renderEngineText(sampleStats(), plain, { now: NOW });
    expect(text).toMatch(/memtable +120\.6 KiB · 789 entries · 1 immutable awaiting flush/);
    expect(text).toMatch(/wal +195\.3 KiB · 2 files · sync: batch/);
    expect(text).toContain('theory 0.82% false positives');
    expect(renderEngineText(sampleStats([], []), plain, { now: NOW })).toContain('no segments yet');
  });
});
