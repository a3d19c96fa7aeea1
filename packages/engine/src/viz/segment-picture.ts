import { basename } from 'node:path';
import type { EngineStats } from '../engine-stats.js';
import type { SegmentInfo } from '../segment-meta.js';
import { displayKey, formatAge, formatBytes, formatCount, formatPercent } from './display-text.js';

/** One segment as every renderer draws it: the figures already formatted, its key range on a 0–1 axis. */
export interface SegmentCard {
  id: number;
  level: number;
  file: string;
  keyRange: string;
  /** Where the segment's smallest and largest keys sit on the shared key axis, 0 to 1. */
  from: number;
  to: number;
  /** Row within its level band: level-0 segments overlap, so they are stacked; 0 is the top row. */
  row: number;
  size: string;
  entries: string;
  tombstones: string;
  tombstoneShare: number;
  bloom: string;
  age: string;
  inNextCompaction: boolean;
  sizeBytes: number;
  /** sizeBytes over the largest live segment's, 0 to 1: how dark it is drawn. */
  sizeShare: number;
}

export interface LevelBand {
  level: number;
  cards: SegmentCard[];
  /** Rows the band needs so no two segments in a row overlap (1 for a sorted level). */
  rows: number;
  summary: string;
}

/** A labelled point of the key axis: a segment boundary key near a round fraction of the width. */
interface AxisTick {
  at: number;
  label: string;
}

/** The engine's state arranged for drawing: pure data, no colours or coordinates. */
export interface EnginePicture {
  title: string;
  totals: string;
  memtable: string[];
  wal: string[];
  bloom: string[];
  levels: LevelBand[];
  ticks: AxisTick[];
  nextCompaction: string;
  compactionPolicy: string;
  segmentCount: number;
  largestSegment: string;
}

export interface PictureOptions {
  /** "Now" for segment ages (tests pass a fixed clock). */
  now?: number;
}

export function describeEngine(stats: EngineStats, options: PictureOptions = {}): EnginePicture {
  const now = options.now ?? Date.now();
  const axis = keyAxis(stats.segments);
  const next = new Set(stats.nextCompaction);
  const largest = Math.max(1, ...stats.segments.map((s) => s.sizeBytes));
  const byLevel = new Map<number, SegmentCard[]>();
  for (const seg of stats.segments) {
    const card = cardFor(seg, axis, next.has(seg.id), now, largest);
    const band = byLevel.get(seg.level) ?? [];
    band.push(card);
    byLevel.set(seg.level, band);
  }
  const levels = [...byLevel.entries()]
    .sort(([a], [b]) => a - b)
    .map(([level, cards]) => {
      // Level 0 segments overlap, so their order is their age (newest first, the order reads consult them);
      // deeper levels are sorted by key.
      cards.sort(level === 0 ? (a, b) => b.id - a.id : (a, b) => a.from - b.from || a.id - b.id);
      const bytes = cards.reduce((sum, c) => sum + c.sizeBytes, 0);
      return {
        level,
        cards,
        rows: packRows(level, cards),
        summary: `level ${level}: ${cards.length} segment${cards.length === 1 ? '' : 's'}, ${formatBytes(bytes)}`,
      };
    });
  const { bloom, memtable, wal, totals } = stats;
  const measured =
    bloom.measuredFpRate === null
      ? 'measured: no probes yet'
      : `measured ${formatPercent(bloom.measuredFpRate)} (${formatCount(bloom.falsePositives)} of ${formatCount(bloom.probes)} probes)`;
  return {
    title: `esc engine · ${stats.dir}`,
    totals:
      `${totals.liveSegments} live segment${totals.liveSegments === 1 ? '' : 's'}, ${formatBytes(totals.diskBytes)} on disk · ` +
      `${formatCount(totals.flushes)} flush${totals.flushes === 1 ? '' : 'es'}, ${formatCount(totals.compactions)} compaction${totals.compactions === 1 ? '' : 's'}`,
    memtable: [
      `${formatBytes(memtable.bytes)}`,
      `${formatCount(memtable.entries)} entries`,
      memtable.immutable > 0 ? `${memtable.immutable} immutable awaiting flush` : 'no immutable memtable',
    ],
    wal: [`${formatBytes(wal.bytes)}`, `${wal.files} file${wal.files === 1 ? '' : 's'}`, `sync: ${wal.syncMode}`],
    bloom: [
      `${bloom.bitsPerKey} bits/key`,
      `theory ${formatPercent(bloom.theoreticalFpRate)} false positives`,
      measured,
    ],
    levels,
    ticks: axisTicks(stats.segments, axis),
    largestSegment: formatBytes(largest),
    nextCompaction: nextCompactionText(stats.nextCompaction),
    compactionPolicy: `policy: ${stats.compactionPolicy}`,
    segmentCount: stats.segments.length,
  };
}

/** The ids the next compaction merges, at most a dozen of them named: level 0 may hand it hundreds. */
function nextCompactionText(ids: readonly number[]): string {
  if (ids.length === 0) return 'next compaction: nothing to merge yet';
  const named = ids.slice(0, 12).map((id) => `#${id}`);
  if (ids.length > named.length) named.push(`… (${ids.length} segments)`);
  return `next compaction merges ${named.join(', ')}`;
}

function cardFor(
  seg: SegmentInfo,
  axis: (key: Uint8Array) => number,
  inNext: boolean,
  now: number,
  largest: number,
): SegmentCard {
  const share = seg.entries > 0 ? seg.tombstones / seg.entries : 0;
  return {
    id: seg.id,
    level: seg.level,
    file: basename(seg.file),
    keyRange: `${displayKey(seg.minKey, 14)} … ${displayKey(seg.maxKey, 14)}`,
    from: axis(seg.minKey),
    to: axis(seg.maxKey),
    row: 0,
    size: formatBytes(seg.sizeBytes),
    entries: `${formatCount(seg.entries)} entries`,
    tombstones: `${formatCount(seg.tombstones)} tombstone${seg.tombstones === 1 ? '' : 's'}${seg.tombstones > 0 ? ` (${formatPercent(share)})` : ''}`,
    tombstoneShare: share,
    bloom: `bloom ${seg.bloomBitsPerKey} bits/key, ${seg.bloomHashes} hash${seg.bloomHashes === 1 ? '' : 'es'}`,
    age: formatAge(now - seg.createdAt),
    inNextCompaction: inNext,
    sizeBytes: seg.sizeBytes,
    sizeShare: seg.sizeBytes / largest,
  };
}

/**
 * Gives each card of level 0 the first row, top down, where it overlaps no card already placed (the band's
 * order: newest first, so the newest segments sit on top), and returns the row count. A sorted level is one
 * run of disjoint segments: one row.
 */
function packRows(level: number, cards: SegmentCard[]): number {
  if (level > 0) return 1;
  const rows: SegmentCard[][] = [];
  for (const card of cards) {
    let r = 0;
    while (r < rows.length && rows[r]!.some((c) => c.from <= card.to && card.from <= c.to)) r++;
    if (r === rows.length) rows.push([]);
    rows[r]!.push(card);
    card.row = r;
  }
  return Math.max(1, rows.length);
}

/** About five labels under the axis: the boundary keys that fall nearest to 0, ¼, ½, ¾ and 1 of the width. */
function axisTicks(segments: readonly SegmentInfo[], axis: (key: Uint8Array) => number): AxisTick[] {
  if (segments.length === 0) return [];
  const bounds = segments.flatMap((s) => [s.minKey, s.maxKey]).map((k) => ({ at: axis(k), key: k }));
  const ticks: AxisTick[] = [];
  for (const want of [0, 0.25, 0.5, 0.75, 1]) {
    let best = bounds[0]!;
    for (const b of bounds) if (Math.abs(b.at - want) < Math.abs(best.at - want)) best = b;
    if (ticks.some((t) => Math.abs(t.at - best.at) < 0.1)) continue;
    ticks.push({ at: best.at, label: displayKey(best.key, 16) });
  }
  return ticks;
}

const AXIS_BYTES = 6;

/**
 * Maps keys to 0–1 by where they fall among the stored keys: the share of all segments' entries below the
 * key, each segment's entries taken as spread evenly over its range on byteAxis (90%), plus a little of
 * byteAxis itself (10%), so the mapping stays strictly increasing over stretches no segment covers. Dense
 * stretches of the key space get room in proportion to the keys they hold, however the keys are spelled.
 */
export function keyAxis(segments: readonly SegmentInfo[]): (key: Uint8Array) => number {
  const bytes = byteAxis(segments);
  const spans = segments.map((s) => ({ a: bytes(s.minKey), b: bytes(s.maxKey), w: Math.max(1, s.entries) }));
  const total = spans.reduce((sum, s) => sum + s.w, 0);
  if (total === 0) return bytes;
  const cdf = (x: number) => {
    let below = 0;
    for (const { a, b, w } of spans) below += x >= b ? w : x <= a ? 0 : (w * (x - a)) / (b - a);
    return below / total;
  };
  return (key) => {
    const x = bytes(key);
    return 0.9 * cdf(x) + 0.1 * x;
  };
}

/**
 * Maps keys to 0–1 by their bytes. Keys are bytes of any length, so the axis
 * skips the prefix all segments share, then reads the next few bytes as digits of a mixed-radix fraction
 * whose radix at each position is the range of bytes the segment boundaries use there: decimal keys
 * (`user:00000…user:19999`) get base 10 and spread evenly, binary keys base 256. The mapping keeps key
 * order, so overlaps and gaps between segments show as they are.
 */
function byteAxis(segments: readonly SegmentInfo[]): (key: Uint8Array) => number {
  if (segments.length === 0) return () => 0;
  const bounds: Uint8Array[] = segments.flatMap((s) => [s.minKey, s.maxKey]);
  let lo = bounds[0]!;
  let hi = bounds[0]!;
  for (const k of bounds) {
    if (Buffer.compare(k, lo) < 0) lo = k;
    if (Buffer.compare(k, hi) > 0) hi = k;
  }
  let prefix = 0;
  while (prefix < lo.length && prefix < hi.length && lo[prefix] === hi[prefix]) prefix++;
  const low: number[] = [];
  const radix: number[] = [];
  for (let i = 0; i < AXIS_BYTES; i++) {
    const seen = bounds.map((k) => k[prefix + i]).filter((b): b is number => b !== undefined);
    const min = seen.length > 0 ? Math.min(...seen) : 0;
    low.push(min);
    radix.push((seen.length > 0 ? Math.max(...seen) : 0) - min + 1);
  }
  const raw = (key: Uint8Array) => {
    let v = 0;
    let scale = 1;
    for (let i = 0; i < AXIS_BYTES; i++) {
      scale /= radix[i]!;
      const digit = Math.min(radix[i]! - 1, Math.max(0, (key[prefix + i] ?? low[i]!) - low[i]!));
      v += digit * scale;
    }
    return v;
  };
  const a = raw(lo);
  const b = raw(hi);
  if (b <= a) return () => 0.5;
  return (key) => Math.min(1, Math.max(0, (raw(key) - a) / (b - a)));
}
