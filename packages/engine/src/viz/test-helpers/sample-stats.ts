import type { EngineStats } from '../../engine-stats.js';
import type { SegmentInfo } from '../../segment-meta.js';

export const NOW = Date.UTC(2026, 0, 1, 12, 0, 0);

export function segment(
  id: number,
  level: number,
  minKey: string | Buffer,
  maxKey: string | Buffer,
  extra: Partial<SegmentInfo> = {},
): SegmentInfo {
  return {
    id,
    file: `${String(id).padStart(6, '0')}.seg`,
    level,
    minKey: Buffer.from(minKey),
    maxKey: Buffer.from(maxKey),
    sizeBytes: 1000 * id + 4096,
    entries: 100 * id,
    tombstones: id % 3,
    bloomBitsPerKey: 10,
    bloomHashes: 7,
    createdAt: NOW - id * 61_000,
    ...extra,
  };
}

/** Engine stats with awkward keys (markup characters, binary bytes) over two levels. */
export function sampleStats(segments: SegmentInfo[] = defaultSegments(), nextCompaction = [3, 4]): EngineStats {
  return {
    dir: '/tmp/db <&> "quoted"',
    memtable: { bytes: 123_456, entries: 789, immutable: 1 },
    wal: { bytes: 200_000, files: 2, syncMode: 'batch', syncs: 0 },
    segments,
    nextCompaction,
    compactionPolicy: 'size-tiered',
    bloom: { bitsPerKey: 10, theoreticalFpRate: 0.0082, measuredFpRate: 0.009, probes: 1000, falsePositives: 9 },
    recovery: { tornTails: [], staleLockPid: null, replayedBatches: 0 },
    totals: {
      liveSegments: segments.length,
      diskBytes: segments.reduce((s, x) => s + x.sizeBytes, 0),
      compactions: 2,
      flushes: 5,
    },
  };
}

function defaultSegments(): SegmentInfo[] {
  return [
    segment(1, 1, 'key:0000', 'key:4999'),
    segment(2, 1, 'key:5000', 'key:9999'),
    segment(3, 0, '<a&b>', 'z"\'z'),
    segment(4, 0, Buffer.from([0, 1, 2, 0xff]), Buffer.from([0xff, 0xfe, 0x0a])),
  ];
}
