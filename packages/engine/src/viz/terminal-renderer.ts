import type { EngineStats } from '../engine-stats.js';
import { describeEngine, type LevelBand, type PictureOptions, type SegmentCard } from './segment-picture.js';

/** The few styles the terminal picture uses; a chalk instance from core's createPalette() fits. */
export interface TextPalette {
  bold(text: string): string;
  dim(text: string): string;
  red(text: string): string;
  yellow(text: string): string;
  cyan(text: string): string;
  green(text: string): string;
  magenta(text: string): string;
}

/** Columns of the key axis. */
export const AXIS_WIDTH = 64;
/** A level-0 stack deeper than this is drawn as one line of overlap depth instead of a line per row. */
const MAX_ROWS = 4;
/** Overlap depth, shallow to deep, relative to the deepest column. */
const DEPTH = ['░', '▒', '▓', '█'];

/**
 * The engine's state for a terminal, the same picture as the SVG in text: the key space across (AXIS_WIDTH
 * columns, labelled by boundary keys), one line per level, each segment a run of blocks at its key range,
 * neighbours alternating █ and ▓ so their boundary shows. A level-0 stack a few rows deep gets a line per row;
 * a deeper one a single line whose shade is how many segments overlap there. The next compaction's inputs
 * are drawn in yellow and their levels marked `◆`.
 */
export function renderEngineText(stats: EngineStats, palette: TextPalette, options: PictureOptions = {}): string {
  const pic = describeEngine(stats, options);
  const lines: string[] = [];
  lines.push(palette.bold(pic.title));
  lines.push(pic.totals);
  lines.push('');
  lines.push(`${palette.cyan('memtable'.padEnd(9))} ${pic.memtable.join(' · ')}`);
  lines.push(`${palette.green('wal'.padEnd(9))} ${pic.wal.join(' · ')}`);
  lines.push(`${palette.magenta('bloom'.padEnd(9))} ${pic.bloom.join(' · ')}`);
  lines.push('');
  if (pic.levels.length === 0) {
    lines.push(palette.dim('no segments yet: every entry is still in the memtable and the write-ahead log'));
  } else {
    const labels = pic.levels.map(bandLabel);
    const width = Math.max(...labels.map((l) => l.length)) + 1;
    lines.push(palette.dim(`${' '.repeat(width + 1)}${tickLine(pic.ticks)}`));
    for (const [i, band] of pic.levels.entries()) lines.push(...bandLines(band, labels[i]!.padEnd(width), palette));
  }
  lines.push('', pic.nextCompaction, palette.dim(pic.compactionPolicy));
  return `${lines.join('\n')}\n`;
}

/** `L0  156 segments, 237.7 KiB` */
function bandLabel(band: LevelBand): string {
  return `L${band.level}  ${band.summary.replace(/^level \d+: /, '')}`;
}

function bandLines(band: LevelBand, label: string, palette: TextPalette): string[] {
  const next = band.cards.some((c) => c.inNextCompaction) ? ` ${palette.yellow('◆')}` : '';
  const head = palette.bold(label);
  if (band.rows > MAX_ROWS) {
    return [`${head}│${depthLine(band.cards, palette)}│${next} ${palette.dim(`up to ${band.rows} deep`)}`];
  }
  const out: string[] = [];
  for (let r = 0; r < band.rows; r++) {
    const cells = spanCells(band.cards.filter((c) => c.row === r));
    out.push(`${r === 0 ? head : ' '.repeat(label.length)}│${paint(cells, palette)}│${r === 0 ? next : ''}`);
  }
  return out;
}

interface Cell {
  ch: string;
  next: boolean;
}

/** Column of the axis where a 0–1 position falls. */
function column(at: number): number {
  return Math.min(AXIS_WIDTH - 1, Math.max(0, Math.floor(at * AXIS_WIDTH)));
}

/** One row of disjoint segments: each a run of █ or ▓ (alternating), at least one column wide. */
function spanCells(cards: SegmentCard[]): Cell[] {
  const cells: Cell[] = Array.from({ length: AXIS_WIDTH }, () => ({ ch: ' ', next: false }));
  [...cards]
    .sort((a, b) => a.from - b.from)
    .forEach((card, i) => {
      for (let c = column(card.from); c <= column(card.to); c++)
        cells[c] = { ch: i % 2 === 0 ? '█' : '▓', next: card.inNextCompaction };
    });
  return cells;
}

/** Per column, how many segments cover it, as a shade relative to the deepest column. */
function depthLine(cards: SegmentCard[], palette: TextPalette): string {
  const depth = new Array<number>(AXIS_WIDTH).fill(0);
  const next = new Array<boolean>(AXIS_WIDTH).fill(false);
  for (const card of cards)
    for (let c = column(card.from); c <= column(card.to); c++) {
      depth[c]!++;
      next[c] ||= card.inNextCompaction;
    }
  const max = Math.max(1, ...depth);
  const cells = depth.map((d, c) => ({
    ch: d === 0 ? ' ' : DEPTH[Math.min(DEPTH.length - 1, Math.floor(((d - 1) / max) * DEPTH.length))]!,
    next: next[c]!,
  }));
  return paint(cells, palette);
}

function paint(cells: Cell[], palette: TextPalette): string {
  let out = '';
  for (const cell of cells) out += cell.next && cell.ch !== ' ' ? palette.yellow(cell.ch) : cell.ch;
  return out;
}

/** The tick labels placed along the axis, each starting at its column (the last one ending at the edge). */
function tickLine(ticks: readonly { at: number; label: string }[]): string {
  let line = '';
  for (const t of ticks) {
    let at = column(t.at);
    if (at + t.label.length > AXIS_WIDTH + 1) at = AXIS_WIDTH + 1 - t.label.length;
    if (at < line.length + 1 && line.length > 0) continue;
    line = line.padEnd(at) + t.label;
  }
  return line;
}
