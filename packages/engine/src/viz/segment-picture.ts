import { basename } from 'node:path';
import type { EngineStats, SegmentInfo } from '../engine.js';
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
  size: string;
  entries: string;
  tombstones: string;
  tombstoneShare: number;
  bloom: string;
  age: string;
  inNextCompaction: boolean;
  sizeBytes: number;
}

export interface LevelBand {
  level: number;
  cards: SegmentCard[];
  summary: string;
}

/** The engine's state arranged for drawing: pure data, no colours or coordinates. */
export interface EnginePicture {
  title: string;
  totals: string;
  memtable: string[];
  wal: string[];
  bloom: string[];
  levels: LevelBand[];
  nextCompaction: string;
  compactionPolicy: string;
  segmentCount: number;
}

export interface PictureOptions {
  /** "Now" for segment ages (tests pass a fixed clock). */
  now?: number;
}

export function describeEngine(stats: EngineStats, options: PictureOptions = {}): EnginePicture {
  const now = options.now ?? Date.now();
  const axis = keyAxis(stats.segments);
  const next = new Set(stats.nextCompaction);
  const byLevel = new Map<number, SegmentCard[]>();
  for (const seg of stats.segments) {
    const card = cardFor(seg, axis, next.has(seg.id), now);
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
      return { level, cards, summary: `level ${level}: ${cards.length} segment${cards.length === 1 ? '' : 's'}, ${formatBytes(bytes)}` };
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
    bloom: [`${bloom.bitsPerKey} bits/key`, `theory ${formatPercent(bloom.theoreticalFpRate)} false positives`, measured],
    levels,
    nextCompaction:
      stats.nextCompaction.length === 0
        ? 'next compaction: nothing to merge yet'
        : `next compaction merges ${stats.nextCompaction.map((id) => `#${id}`).join(', ')}`,
    compactionPolicy: `policy: ${stats.compactionPolicy}`,
    segmentCount: stats.segments.length,
  };
}

function cardFor(seg: SegmentInfo, axis: (key: Uint8Array) => number, inNext: boolean, now: number): SegmentCard {
  const share = seg.entries > 0 ? seg.tombstones / seg.entries : 0;
  return {
    id: seg.id,
    level: seg.level,
    file: basename(seg.file),
    keyRange: `${displayKey(seg.minKey, 14)} … ${displayKey(seg.maxKey, 14)}`,
    from: axis(seg.minKey),
    to: axis(seg.maxKey),
    size: formatBytes(seg.sizeBytes),
    entries: `${formatCount(seg.entries)} entries`,
    tombstones: `${formatCount(seg.tombstones)} tombstone${seg.tombstones === 1 ? '' : 's'}${seg.tombstones > 0 ? ` (${formatPercent(share)})` : ''}`,
    tombstoneShare: share,
    bloom: `bloom ${seg.bloomBitsPerKey} bits/key, ${seg.bloomHashes} hash${seg.bloomHashes === 1 ? '' : 'es'}`,
    age: formatAge(now - seg.createdAt),
    inNextCompaction: inNext,
    sizeBytes: seg.sizeBytes,
  };
}

/**
 * Maps keys to 0–1 so segments can be drawn on one key axis. Keys are bytes of any length and any
 * distribution, so the axis is ordinal: every segment boundary key, sorted, evenly spaced. Overlaps and
 * gaps between segments show exactly; distances between keys do not (they have no meaning for bytes).
 */
export function keyAxis(segments: readonly SegmentInfo[]): (key: Uint8Array) => number {
  const bounds = segments.flatMap((s) => [s.minKey, s.maxKey]).sort(Buffer.compare);
  const unique = bounds.filter((k, i) => i === 0 || !k.equals(bounds[i - 1]!));
  if (unique.length < 2) return () => 0.5;
  return (key) => {
    // Binary search: the rank of the first boundary >= key.
    let lo = 0;
    let hi = unique.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (Buffer.compare(unique[mid]!, key) < 0) lo = mid + 1;
      else hi = mid;
    }
    return lo / (unique.length - 1);
  };
}
