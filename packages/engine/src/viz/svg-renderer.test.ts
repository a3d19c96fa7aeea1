import { describe, expect, it } from 'vitest';
import { renderEngineHtml } from './html-page.js';
import { renderEngineSvg } from './svg-renderer.js';
import { checkXml } from './test-helpers/xml-well-formed.js';
import { NOW, sampleStats, segment } from './test-helpers/sample-stats.js';

describe('renderEngineSvg', () => {
  it('is well-formed XML with an svg root, whatever bytes the keys and path hold', () => {
    const check = checkXml(renderEngineSvg(sampleStats(), { now: NOW }));
    expect(check.problems).toEqual([]);
    expect(check.root).toBe('svg');
  });

  it('draws one card per live segment, outlined when the next compaction merges it', () => {
    const svg = renderEngineSvg(sampleStats(), { now: NOW });
    const groups = checkXml(svg).elements.filter((e) => e.name === 'g' && e.attrs['data-segment'] !== undefined);
    expect(groups.map((g) => Number(g.attrs['data-segment'])).sort()).toEqual([1, 2, 3, 4]);
    for (const id of [3, 4])
      expect(svg).toMatch(new RegExp(`id="segment-${id}"[^]*?stroke="#e8590c"[^]*?merged by next compaction`));
    const card1 = svg.slice(svg.indexOf('id="segment-1"'), svg.indexOf('</g>', svg.indexOf('id="segment-1"')));
    expect(card1).not.toContain('merged by next compaction');
    // Figures of a card: size, entries, tombstones, bloom, age, key range.
    expect(card1).toContain('5.0 KiB · 100 entries');
    expect(card1).toContain('1 tombstone (1.0%)');
    expect(card1).toContain('bloom 10 bits/key, 7 hashes');
    expect(card1).toContain('L1 · 1 min old');
    expect(card1).toContain('key:0000 … key:4999');
  });

  it('shows the memtable, WAL and bloom figures and escapes markup in keys', () => {
    const svg = renderEngineSvg(sampleStats(), { now: NOW });
    expect(svg).toContain('120.6 KiB');
    expect(svg).toContain('789 entries');
    expect(svg).toContain('sync: batch');
    expect(svg).toContain('measured 0.90% (9 of 1,000 probes)');
    expect(svg).toContain('&lt;a&amp;b&gt; … z&quot;&apos;z');
    expect(svg).toContain('\\x00\\x01\\x02\\… … \\xff\\xfe\\x0a');
  });

  it('stays well-formed with no segments and with many', () => {
    const empty = renderEngineSvg(sampleStats([], []), { now: NOW });
    expect(checkXml(empty).problems).toEqual([]);
    expect(empty).toContain('no segments yet');
    const many = Array.from({ length: 40 }, (_, i) =>
      segment(i + 1, i % 3, `k${String(i).padStart(3, '0')}`, `k${String(i + 5).padStart(3, '0')}`),
    );
    const svg = renderEngineSvg(sampleStats(many, [1, 2]), { now: NOW });
    const check = checkXml(svg);
    expect(check.problems).toEqual([]);
    expect(check.elements.filter((e) => e.attrs['data-segment'] !== undefined)).toHaveLength(40);
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
