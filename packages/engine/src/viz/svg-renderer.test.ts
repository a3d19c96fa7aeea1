import { describe, expect, it } from 'vitest';
import { renderEngineHtml } from './html-page.js';
import { keyAxis } from './segment-picture.js';
import { axisX, renderEngineSvg } from './svg-renderer.js';
import { checkXml } from './test-helpers/xml-well-formed.js';
import { NOW, sampleStats, segment } from './test-helpers/sample-stats.js';

/** The bar of segment `id`: its rect's geometry, its tooltip and everything in its group. */
function bar(svg: string, id: number) {
  const start = svg.indexOf(`id="segment-${id}"`);
  expect(start).toBeGreaterThan(0);
  const group = svg.slice(start, svg.indexOf('</g>', start));
  const m = /<rect x="([\d.]+)" y="([\d.]+)" width="([\d.]+)" height="([\d.]+)"/.exec(group)!;
  const [x, y, width, height] = m.slice(1).map(Number) as [number, number, number, number];
  return { x, y, width, height, right: x + width, title: /<title>([^<]*)<\/title>/.exec(group)![1]!, group };
}

const even = { entries: 1000 };

describe('renderEngineSvg', () => {
  it('is well-formed XML with an svg root, whatever bytes the keys and path hold', () => {
    const check = checkXml(renderEngineSvg(sampleStats(), { now: NOW }));
    expect(check.problems).toEqual([]);
    expect(check.root).toBe('svg');
  });

  it('draws each segment as a bar at its key range, levels down', () => {
    const stats = sampleStats(
      [
        segment(1, 1, 'user:00000', 'user:49999', even),
        segment(2, 1, 'user:50000', 'user:99999', even),
        segment(3, 2, 'user:00000', 'user:99999', even),
      ],
      [],
    );
    const svg = renderEngineSvg(stats, { now: NOW });
    const [b1, b2, b3] = [bar(svg, 1), bar(svg, 2), bar(svg, 3)];
    // Two halves of the key space side by side on one row; level 2 below, the whole width.
    expect(b1.x).toBeCloseTo(axisX(0), 0);
    expect(b2.right).toBeCloseTo(axisX(1), 0);
    expect(b1.y).toBe(b2.y);
    expect(Math.abs(b1.right - b2.x)).toBeLessThan(2);
    expect(Math.abs(b1.width - b2.width)).toBeLessThan(2);
    expect(b3.y).toBeGreaterThan(b1.y + b1.height);
    expect(b3.x).toBeCloseTo(axisX(0), 0);
    expect(b3.right).toBeCloseTo(axisX(1), 0);
  });

  it('stacks overlapping level-0 segments newest on top, and lets disjoint ones share a row', () => {
    const stats = sampleStats(
      [
        segment(5, 0, 'k000', 'k999', even),
        segment(6, 0, 'k100', 'k300', even),
        segment(7, 0, 'k500', 'k700', even),
        segment(8, 0, 'k200', 'k600', even),
      ],
      [],
    );
    const svg = renderEngineSvg(stats, { now: NOW });
    const [b5, b6, b7, b8] = [5, 6, 7, 8].map((id) => bar(svg, id)) as ReturnType<typeof bar>[];
    expect(b8.y).toBeLessThan(b7.y); // #8 (newest) on top
    expect(b7.y).toBe(b6.y); // #7 and #6 do not overlap: one row
    expect(b5.y).toBeGreaterThan(b6.y);
    expect(b7.x).toBeGreaterThan(b6.right);
  });

  it('gives a dense stretch of keys room in proportion to the keys it holds', () => {
    const dense = segment(1, 1, 'a000', 'a999', { entries: 9000 });
    const sparse = segment(2, 1, 'b000', 'z999', { entries: 1000 });
    const axis = keyAxis([dense, sparse]);
    // 90% of the entries in a sliver of the byte range: most of the width, not a sliver.
    expect(axis(Buffer.from('a999'))).toBeGreaterThan(0.75);
    expect(axis(Buffer.from('a500'))).toBeGreaterThan(0.3);
    expect(axis(Buffer.from('a000'))).toBe(0);
    expect(axis(Buffer.from('z999'))).toBe(1);
  });

  it('outlines the next compaction, and puts the figures in a tooltip', () => {
    const svg = renderEngineSvg(sampleStats(), { now: NOW });
    for (const id of [3, 4]) expect(bar(svg, id).group).toContain('stroke="#e8590c"');
    const b1 = bar(svg, 1);
    expect(b1.group).not.toContain('#e8590c');
    expect(b1.title).toBe(
      '#1 · 000001.seg · level 1\nkeys key:0000 … key:4999\n5.0 KiB · 100 entries · 1 tombstone (1.0%)\nbloom 10 bits/key, 7 hashes · 1 min old',
    );
    expect(bar(svg, 3).title).toContain('merged by the next compaction');
    expect(svg).toContain('next compaction merges #3, #4');
  });

  it('shows the memtable, WAL and bloom figures and escapes markup in keys', () => {
    const svg = renderEngineSvg(sampleStats(), { now: NOW });
    expect(svg).toContain('120.6 KiB');
    expect(svg).toContain('789 entries');
    expect(svg).toContain('sync: batch');
    expect(svg).toContain('measured 0.90% (9 of 1,000 probes)');
    expect(svg).toContain('keys &lt;a&amp;b&gt; … z&quot;&apos;z');
    expect(svg).toContain('keys \\x00\\x01\\x02\\… … \\xff\\xfe\\x0a');
  });

  it('stays readable with hundreds of level-0 segments: a bounded stack, each still drawn and marked', () => {
    const empty = renderEngineSvg(sampleStats([], []), { now: NOW });
    expect(checkXml(empty).problems).toEqual([]);
    expect(empty).toContain('no segments yet');
    const many = Array.from({ length: 300 }, (_, i) =>
      segment(i + 1, 0, `k${String(i % 7).padStart(3, '0')}`, `k${String(900 + (i % 11)).padStart(3, '0')}`),
    );
    const svg = renderEngineSvg(sampleStats(many, [1, 2]), { now: NOW });
    const check = checkXml(svg);
    expect(check.problems).toEqual([]);
    expect(check.elements.filter((e) => e.attrs['data-segment'] !== undefined)).toHaveLength(300);
    const height = Number(/<svg [^>]*height="(\d+)"/.exec(svg)![1]);
    // 300 rows of 2 px: the stack is a block a screen tall, not a page of cards.
    expect(height).toBeLessThan(1000);
    const bars = many.map((s) => bar(svg, s.id));
    expect(new Set(bars.map((b) => b.y)).size).toBe(300);
    for (const b of bars) expect(b.height).toBeGreaterThanOrEqual(2);
    // Rows too thin for an outline: the next compaction's inputs get a mark left of the axis.
    expect(bar(svg, 1).group).toContain('fill="#e8590c"');
    expect(bar(svg, 3).group).not.toContain('#e8590c');
  });
});

describe('renderEngineHtml', () => {
  it('is a self-contained page, well-formed, embedding the picture', () => {
    const html = renderEngineHtml(sampleStats(), { now: NOW });
    const check = checkXml(html);
    expect(check.problems).toEqual([]);
    expect(check.root).toBe('html');
    expect(html).not.toMatch(/<script|src=|href=/);
    expect(check.elements.filter((e) => e.attrs['data-segment'] !== undefined)).toHaveLength(4);
  });
});

describe('checkXml', () => {
  // The check must be able to fail, or the tests above prove nothing.
  it.each([
    ['<svg><g></svg>', '</svg> closes <g>'],
    ['<svg a="1" a="2"/>', 'duplicate attribute'],
    ['<svg>a & b</svg>', 'bare &'],
    ['<svg x=1/>', 'malformed tag'],
    ['<svg/><svg/>', 'second root'],
    ['<svg>\u0001</svg>', 'control character'],
    ['<svg><g>', 'unclosed'],
  ])('rejects %s', (doc, problem) => {
    expect(checkXml(doc).problems.join('\n')).toContain(problem);
  });

  it('accepts references, comments, a declaration and a doctype', () => {
    expect(
      checkXml('<?xml version="1.0"?>\n<!DOCTYPE html>\n<!-- c --><a b=\'&amp;&#60;&#x3c;\'>x &lt; y<c/></a>\n')
        .problems,
    ).toEqual([]);
  });
});
