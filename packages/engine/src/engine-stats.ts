import { randomBytes } from 'node:crypto';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { theoreticalFpRate } from './bloom-filter.js';
import { pickCompaction } from './compaction.js';
import type { Config } from './config.js';
import { MANIFEST_FILE } from './manifest.js';
import { segmentInfo, type SegmentInfo } from './segment-meta.js';
import type { BloomStats } from './segment-reader.js';
import type { Version } from './version.js';
import type { VersionSet } from './version-set.js';
import { walFileName } from './wal-format.js';
import type { TornTail } from './wal-reader.js';
import type { WritePath } from './write-path.js';

export interface EngineStats {
  dir: string;
  memtable: { bytes: number; entries: number; immutable: number };
  /** syncs: fdatasync calls on logs since open; with group commit, fewer than synced writes. */
  wal: { bytes: number; files: number; syncMode: string; syncs: number };
  segments: SegmentInfo[];
  /** Segment ids the next compaction would merge, [] if none is due. */
  nextCompaction: number[];
  compactionPolicy: string;
  bloom: {
    bitsPerKey: number;
    theoreticalFpRate: number;
    measuredFpRate: number | null;
    probes: number;
    falsePositives: number;
  };
  totals: { liveSegments: number; diskBytes: number; compactions: number; flushes: number };
  /** What the last open() found and repaired: torn log tails cut off, a stale lock taken over. */
  recovery: RecoveryReport;
}

export interface RecoveryReport {
  tornTails: TornTail[];
  staleLockPid: number | null;
  replayedBatches: number;
}

/** The engine's figures, read from its parts without changing them. */
export function collectStats(
  dir: string,
  config: Config,
  versions: VersionSet,
  writes: WritePath,
  bloomStats: BloomStats,
  recovery: RecoveryReport,
): EngineStats {
  const segments = versions.version.levels.flatMap((run, level) => run.map((s) => segmentInfo(s, level)));
  let walBytes = writes.wal.offset;
  for (const m of writes.imms) walBytes += fileSize(join(config.walDir, walFileName(m.walNumber)));
  const plan = pickCompaction(versions.version, config, versions.pointers);
  const negatives = bloomStats.probes;
  return {
    dir,
    memtable: { bytes: writes.mem.bytes, entries: writes.mem.entries, immutable: writes.imms.length },
    wal: { bytes: walBytes, files: 1 + writes.imms.length, syncMode: config.syncMode, syncs: writes.walCounters.syncs },
    segments,
    nextCompaction: plan === null ? [] : plan.inputs.map((s) => s.id),
    compactionPolicy: `leveled: level 0 → 1 at ${config.compactionThreshold} segments; level L ≥ 1 → L+1 above ${config.level1MaxBytes}·${config.levelSizeMultiplier}^(L−1) bytes; output segments of ${config.segmentSize} bytes`,
    bloom: {
      bitsPerKey: config.bloomBitsPerKey,
      theoreticalFpRate: theoreticalFpRate(config.bloomBitsPerKey),
      measuredFpRate: negatives > 0 ? bloomStats.falsePositives / negatives : null,
      probes: negatives,
      falsePositives: bloomStats.falsePositives,
    },
    totals: {
      liveSegments: segments.length,
      diskBytes: segments.reduce((a, s) => a + s.sizeBytes, 0) + walBytes + fileSize(join(dir, MANIFEST_FILE)),
      compactions: versions.compactions,
      flushes: versions.flushes,
    },
    recovery,
  };
}

/**
 * Probes the live segments' bloom filters with `probes` random keys in all (split evenly, at least 100 per
 * segment), each inside its segment's key range and not held by it, counting them into the bloom stats: a
 * process that has made no lookups of its own (the CLI's `stats` and `viz`) can still report the measured
 * false-positive rate, at a cost that does not grow with the number of segments.
 */
export function measureBloomFilters(version: Version, probes: number): void {
  const filtered = version.all().filter((s) => s.props.bloomBitsPerKey > 0);
  const perSegment = Math.max(100, Math.floor(probes / Math.max(1, filtered.length)));
  for (const s of filtered) {
    const noise = randomBytes(8 * perSegment);
    for (let i = 0; i < perSegment; i++) {
      const key = Buffer.concat([s.minKey, noise.subarray(8 * i, 8 * i + 8)]);
      try {
        s.get(key);
      } catch {
        break; // a damaged segment: verify reports it
      }
    }
  }
}

function fileSize(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
}
