import type { EngineStats } from '../engine-stats.js';
import { describeEngine, type PictureOptions, type SegmentCard } from './segment-picture.js';

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

const AXIS_WIDTH = 30;

/**
 * The engine's state for a terminal: the same content as the SVG picture, as text. Each segment takes two
 * lines: its figures, then its key range drawn on the key axis all segments share, with its bloom filter
 * and age. Segments the next compaction will merge are marked `◆ next compaction`.
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
  if (pic.levels.length === 0)
    lines.push('', palette.dim('no segments yet: every entry is still in the memtable and the write-ahead log'));
  const idWidth = Math.max(3, ...stats.segments.map((s) => String(s.id).length + 1));
  for (const band of pic.levels) {
    lines.push('', palette.bold(band.summary));
    for (const card of band.cards) lines.push(...segmentLines(card, idWidth, palette));
  }
  lines.push('', pic.nextCompaction, palette.dim(pic.compactionPolicy));
  return `${lines.join('\n')}\n`;
}

function segmentLines(card: SegmentCard, idWidth: number, palette: TextPalette): string[] {
  const id = `#${card.id}`.padEnd(idWidth);
  const tomb = card.tombstoneShare > 0 ? palette.red(card.tombstones) : palette.dim(card.tombstones);
  const mark = card.inNextCompaction ? `  ${palette.yellow('◆ next compaction')}` : '';
  const first = `  ${palette.bold(id)}  ${card.keyRange.padEnd(31)}  ${card.size.padStart(9)}  ${card.entries}  ${tomb}${mark}`;
  const second = `  ${' '.repeat(idWidth)}  ${axisBar(card)}  ${palette.magenta(card.bloom)} · ${card.age} old · ${palette.dim(card.file)}`;
  return [first, second];
}

/** `[····█████·····]`: where the segment's keys lie on the shared key axis. */
function axisBar(card: SegmentCard): string {
  const start = Math.min(AXIS_WIDTH - 1, Math.floor(card.from * AXIS_WIDTH));
  const end = Math.max(start + 1, Math.ceil(card.to * AXIS_WIDTH));
  return `[${'·'.repeat(start)}${'█'.repeat(end - start)}${'·'.repeat(AXIS_WIDTH - end)}]`;
}
