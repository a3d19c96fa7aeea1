import type { EngineStats } from '../engine-stats.js';
import { describeEngine, type LevelBand, type PictureOptions, type SegmentCard } from './segment-picture.js';

const WIDTH = 1400;
const MARGIN = 24;
const GAP = 14;
/** Left of the key axis: each level's name and figures. */
const LABEL_W = 200;
const PLOT_X = MARGIN + LABEL_W;
const PLOT_W = WIDTH - PLOT_X - MARGIN;
/** Level 0 gets at most this many pixels, however many segments it stacks; a sorted level one row of ROW_H. */
const L0_HEIGHT = 320;
const ROW_H = 26;
const BAND_PAD = 8;
const FONT = 'font-family="ui-monospace, SFMono-Regular, Menlo, Consolas, monospace"';
const NEXT = '#e8590c';
/** Segment fill from the smallest (light) to the largest (dark) live segment. */
const SMALL: [number, number, number] = [0x74, 0xc0, 0xfc];
const LARGE: [number, number, number] = [0x18, 0x64, 0xab];

/** Text and attribute values escaped for XML, so any key or path keeps the document well-formed. */
export function escapeXml(text: string): string {
  return text.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c]!,
  );
}

/** Where a fraction of the key axis lands on the picture. */
export function axisX(at: number): number {
  return PLOT_X + at * PLOT_W;
}

/**
 * The engine's state as a standalone SVG document, drawn as LSM diagrams are: the key space across, the
 * levels down, each segment a bar at its key range (darker = larger, a tooltip with its figures), level 0's
 * overlapping segments stacked newest on top, the next compaction's inputs outlined in orange. Memtable,
 * WAL and bloom figures sit above, a legend below. Readable from one segment to hundreds: level 0's rows
 * thin out to fit a fixed height instead of the picture growing.
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
      `<rect x="${x.toFixed(1)}" y="${y}" width="${boxW.toFixed(1)}" height="60" rx="6" fill="#f8f9fa" stroke="${colour}" stroke-width="1.5"/>`,
    );
    parts.push(text(x + 10, y + 18, title, `font-size="13" font-weight="bold" fill="${colour}"`));
    parts.push(text(x + 10, y + 35, lines.slice(0, 2).join(' · '), 'font-size="11"'));
    parts.push(text(x + 10, y + 50, lines.slice(2).join(' · '), 'font-size="11"'));
  });
  y += 60 + 28;

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
  } else {
    const heights = pic.levels.map((band) => bandHeight(band));
    const plotH = heights.reduce((a, h) => a + h, 0);
    // The key axis: labels above, faint lines down through every level.
    parts.push(text(PLOT_X, y, 'key space →', 'font-size="11" fill="#868e96"'));
    y += 18;
    for (const tick of pic.ticks) {
      const x = axisX(tick.at);
      const anchor = tick.at < 0.05 ? 'start' : tick.at > 0.95 ? 'end' : 'middle';
      parts.push(text(x, y, tick.label, `font-size="11" fill="#495057" text-anchor="${anchor}"`));
      parts.push(
        `<line x1="${x.toFixed(1)}" y1="${y + 4}" x2="${x.toFixed(1)}" y2="${y + 6 + plotH}" stroke="#dee2e6" stroke-width="1"/>`,
      );
    }
    y += 6;
    pic.levels.forEach((band, i) => {
      parts.push(levelBand(band, y, heights[i]!, i % 2 === 0));
      y += heights[i]!;
    });
    y += 16;
  }

  // Legend.
  const swatch = (x: number, fill: string, stroke = 'none') =>
    `<rect x="${x}" y="${y}" width="22" height="12" fill="${fill}" stroke="${stroke}" stroke-width="2.5"/>`;
  parts.push(swatch(MARGIN, shade(0.05)));
  parts.push(swatch(MARGIN + 24, shade(0.5)));
  parts.push(swatch(MARGIN + 48, shade(1)));
  parts.push(text(MARGIN + 78, y + 10, `segment size: small … largest (${pic.largestSegment})`, 'font-size="12"'));
  parts.push(swatch(MARGIN + 420, shade(0.5), NEXT));
  parts.push(text(MARGIN + 452, y + 10, pic.nextCompaction, 'font-size="12"'));
  y += 24;
  parts.push(
    text(
      MARGIN,
      y + 10,
      'each bar is one segment at its key range (hover for its figures); across: where keys fall among the stored keys; level 0 segments overlap, so they are stacked, newest on top',
      'font-size="11" fill="#555"',
    ),
  );
  y += 18;
  parts.push(text(MARGIN, y + 10, pic.compactionPolicy, 'font-size="11" fill="#555"'));
  y += 18 + MARGIN;

  return (
    `<?xml version="1.0" encoding="UTF-8"?>\n` +
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${y}" viewBox="0 0 ${WIDTH} ${y}" ${FONT}>\n` +
    `<title>${escapeXml(pic.title)}</title>\n` +
    `<rect width="100%" height="100%" fill="#ffffff"/>\n` +
    `${parts.join('\n')}\n</svg>\n`
  );
}

/** Row height of a band: level 0's rows share L0_HEIGHT (between 2 and ROW_H pixels each). */
function rowHeight(band: LevelBand): number {
  if (band.rows === 1) return ROW_H;
  return Math.max(2, Math.min(ROW_H, Math.floor(L0_HEIGHT / band.rows)));
}

function bandHeight(band: LevelBand): number {
  return Math.max(44, band.rows * rowHeight(band) + 2 * BAND_PAD);
}

function levelBand(band: LevelBand, y: number, height: number, tinted: boolean): string {
  const out = [
    `<rect x="${MARGIN}" y="${y}" width="${WIDTH - 2 * MARGIN}" height="${height}" fill="${tinted ? '#f8f9fa' : '#ffffff'}"/>`,
    text(MARGIN + 8, y + 22, `L${band.level}`, 'font-size="18" font-weight="bold"'),
  ];
  const [count, bytes] = band.summary.replace(/^level \d+: /, '').split(', ');
  out.push(text(MARGIN + 48, y + 16, count ?? '', 'font-size="12"'));
  out.push(text(MARGIN + 48, y + 31, bytes ?? '', 'font-size="12" fill="#555"'));
  if (band.rows > 1)
    out.push(text(MARGIN + 8, y + 46, `${band.rows} deep: overlapping`, 'font-size="11" fill="#868e96"'));
  const rowH = rowHeight(band);
  const top = y + BAND_PAD;
  // Outlined segments last, so their outline is not painted over by a neighbour.
  const order = [...band.cards.filter((c) => !c.inNextCompaction), ...band.cards.filter((c) => c.inNextCompaction)];
  for (const card of order) out.push(segmentBar(card, top + card.row * rowH, rowH));
  return out.join('\n');
}

function segmentBar(card: SegmentCard, y: number, rowH: number): string {
  const x = axisX(card.from);
  const w = Math.max(2, (card.to - card.from) * PLOT_W);
  const h = Math.max(2, rowH - (rowH >= 8 ? 2 : 1));
  // Thin rows (a deep level 0) cannot carry an outline: the next compaction's inputs get a mark left of the axis.
  const thin = rowH < 8;
  const stroke = thin
    ? 'stroke="none"'
    : card.inNextCompaction
      ? `stroke="${NEXT}" stroke-width="2.5"`
      : 'stroke="#ffffff" stroke-width="1"';
  const tip = [
    `#${card.id} · ${card.file} · level ${card.level}`,
    `keys ${card.keyRange}`,
    `${card.size} · ${card.entries} · ${card.tombstones}`,
    `${card.bloom} · ${card.age} old`,
    ...(card.inNextCompaction ? ['merged by the next compaction'] : []),
  ].join('\n');
  const out = [
    `<g id="segment-${card.id}" data-segment="${card.id}" data-level="${card.level}">`,
    `<title>${escapeXml(tip)}</title>`,
    `<rect x="${x.toFixed(1)}" y="${y}" width="${w.toFixed(1)}" height="${h}" fill="${shade(card.sizeShare)}" ${stroke}/>`,
  ];
  if (thin && card.inNextCompaction)
    out.push(`<rect x="${PLOT_X - 10}" y="${y}" width="6" height="${rowH}" fill="${NEXT}"/>`);
  const label = `#${card.id}`;
  if (rowH >= 16 && w >= label.length * 7 + 8)
    out.push(
      text(x + 5, y + h / 2 + 4, label, `font-size="11" fill="${card.sizeShare > 0.45 ? '#ffffff' : '#1c2b3a'}"`),
    );
  out.push('</g>');
  return out.join('\n');
}

/** Fill for a segment `share` of the largest one's size: by square root, so a small flush still shows. */
function shade(share: number): string {
  const t = Math.sqrt(Math.min(1, Math.max(0, share)));
  const c = SMALL.map((s, i) => Math.round(s + (LARGE[i]! - s) * t));
  return `#${c.map((v) => v.toString(16).padStart(2, '0')).join('')}`;
}

function text(x: number, y: number, content: string, attrs: string): string {
  return `<text x="${x.toFixed(1)}" y="${y.toFixed(1)}" ${attrs}>${escapeXml(content)}</text>`;
}
