import type { EngineStats } from '../engine-stats.js';
import { describeEngine, type PictureOptions, type SegmentCard } from './segment-picture.js';

const WIDTH = 1000;
const MARGIN = 20;
const CARD_W = 230;
const CARD_H = 142;
const GAP = 13;
const PER_ROW = Math.floor((WIDTH - 2 * MARGIN + GAP) / (CARD_W + GAP));
const FONT = 'font-family="ui-monospace, SFMono-Regular, Menlo, Consolas, monospace"';
const NEXT = '#e8590c';

/** Text and attribute values escaped for XML, so any key or path keeps the document well-formed. */
export function escapeXml(text: string): string {
  return text.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c]!,
  );
}

/**
 * The engine's state as a standalone SVG document: memtable, WAL and bloom figures on top, then one band
 * per level with a card per segment (key range drawn on a shared key axis, size, entries, tombstones,
 * bloom filter, age), the segments the next compaction merges outlined in orange.
 */
export function renderEngineSvg(stats: EngineStats, options: PictureOptions = {}): string {
  const pic = describeEngine(stats, options);
  const parts: string[] = [];
  let y = MARGIN;
  parts.push(text(MARGIN, y + 16, pic.title, 'font-size="18" font-weight="bold"'));
  parts.push(text(MARGIN, y + 36, pic.totals, 'font-size="12" fill="#555"'));
  y += 52;

  const boxW = (WIDTH - 2 * MARGIN - 2 * GAP) / 3;
  const boxes: [string, string[], string][] = [
    ['memtable', pic.memtable, '#1971c2'],
    ['write-ahead log', pic.wal, '#2f9e44'],
    ['bloom filters', pic.bloom, '#7048e8'],
  ];
  boxes.forEach(([title, lines, colour], i) => {
    const x = MARGIN + i * (boxW + GAP);
    parts.push(
      `<rect x="${x}" y="${y}" width="${boxW.toFixed(1)}" height="78" rx="6" fill="#f8f9fa" stroke="${colour}" stroke-width="1.5"/>`,
    );
    parts.push(text(x + 10, y + 20, title, `font-size="13" font-weight="bold" fill="${colour}"`));
    lines.forEach((line, j) => parts.push(text(x + 10, y + 38 + j * 15, line, 'font-size="11"')));
  });
  y += 78 + 24;

  if (pic.levels.length === 0) {
    parts.push(
      text(
        MARGIN,
        y + 14,
        'no segments yet: every entry is still in the memtable and the write-ahead log',
        'font-size="13" fill="#555"',
      ),
    );
    y += 30;
  }
  for (const band of pic.levels) {
    parts.push(text(MARGIN, y + 14, band.summary, 'font-size="14" font-weight="bold"'));
    y += 24;
    band.cards.forEach((card, i) => {
      const col = i % PER_ROW;
      const row = Math.floor(i / PER_ROW);
      parts.push(segmentCard(card, MARGIN + col * (CARD_W + GAP), y + row * (CARD_H + GAP)));
    });
    y += Math.ceil(band.cards.length / PER_ROW) * (CARD_H + GAP) + 8;
  }

  parts.push(
    `<rect x="${MARGIN}" y="${y}" width="14" height="14" rx="3" fill="none" stroke="${NEXT}" stroke-width="3"/>`,
  );
  parts.push(text(MARGIN + 22, y + 12, pic.nextCompaction, 'font-size="12"'));
  y += 20;
  parts.push(text(MARGIN, y + 12, pic.compactionPolicy, 'font-size="11" fill="#555"'));
  y += 18;
  parts.push(
    text(
      MARGIN,
      y + 12,
      'bar under each key range: where the segment lies on the key axis shared by all segments',
      'font-size="11" fill="#777"',
    ),
  );
  y += 20 + MARGIN;

  return (
    `<?xml version="1.0" encoding="UTF-8"?>\n` +
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${y}" viewBox="0 0 ${WIDTH} ${y}" ${FONT}>\n` +
    `<title>${escapeXml(pic.title)}</title>\n` +
    `<rect width="100%" height="100%" fill="#ffffff"/>\n` +
    `${parts.join('\n')}\n</svg>\n`
  );
}

function segmentCard(card: SegmentCard, x: number, y: number): string {
  const stroke = card.inNextCompaction ? `stroke="${NEXT}" stroke-width="3"` : 'stroke="#adb5bd" stroke-width="1"';
  const out = [
    `<g id="segment-${card.id}" data-segment="${card.id}" data-level="${card.level}">`,
    `<rect x="${x}" y="${y}" width="${CARD_W}" height="${CARD_H}" rx="6" fill="#ffffff" ${stroke}/>`,
    text(x + 10, y + 20, `#${card.id}`, 'font-size="14" font-weight="bold"'),
    text(x + CARD_W - 10, y + 20, `L${card.level} · ${card.age} old`, 'font-size="11" fill="#555" text-anchor="end"'),
    text(x + 10, y + 38, card.keyRange, 'font-size="11"'),
  ];
  // The key-axis bar: grey track, the segment's span in blue (at least 2px so a one-key segment shows).
  const trackX = x + 10;
  const trackW = CARD_W - 20;
  const spanX = trackX + card.from * trackW;
  const spanW = Math.max(2, (card.to - card.from) * trackW);
  out.push(`<rect x="${trackX}" y="${y + 45}" width="${trackW}" height="6" rx="3" fill="#e9ecef"/>`);
  out.push(
    `<rect x="${spanX.toFixed(1)}" y="${y + 45}" width="${spanW.toFixed(1)}" height="6" rx="3" fill="#1971c2"/>`,
  );
  out.push(text(x + 10, y + 68, `${card.size} · ${card.entries}`, 'font-size="11"'));
  out.push(
    text(x + 10, y + 84, card.tombstones, `font-size="11" fill="${card.tombstoneShare > 0 ? '#c92a2a' : '#555'}"`),
  );
  out.push(text(x + 10, y + 100, card.bloom, 'font-size="11" fill="#7048e8"'));
  out.push(text(x + 10, y + 116, card.file, 'font-size="10" fill="#868e96"'));
  if (card.inNextCompaction)
    out.push(text(x + 10, y + 133, 'merged by next compaction', `font-size="10" font-weight="bold" fill="${NEXT}"`));
  out.push('</g>');
  return out.join('\n');
}

function text(x: number, y: number, content: string, attrs: string): string {
  return `<text x="${x.toFixed(1)}" y="${y}" ${attrs}>${escapeXml(content)}</text>`;
}
