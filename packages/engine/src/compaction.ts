import { join } from 'node:path';
import type { Config } from './config.js';
import { LevelCursor, MergingCursor, type Cursor } from './merging-cursor.js';
import { segmentFileName, type SegmentProperties } from './segment-format.js';
import { SegmentCursor, type SegmentReader } from './segment-reader.js';
import { SegmentBuilder, writeSegmentFile } from './segment-writer.js';
import type { Version } from './version.js';

/**
 * Leveled compaction, as LevelDB (docs/engine.md, "Compaction"):
 * - when level 0 holds `compactionThreshold` segments, all of them merge with the level-1 segments they
 *   overlap into new level-1 segments;
 * - when level L ≥ 1 holds more than level1MaxBytes·multiplier^(L−1) bytes, one of its segments (round
 *   robin through the key space) merges with the level-(L+1) segments it overlaps.
 * A merge keeps the newest version of each key and drops a tombstone only when no deeper level can still
 * hold the key (Version.deeperMayHold), so a delete never lets an older value come back.
 */
export interface CompactionPlan {
  /** Newest first: level-0 inputs by age, then the source level, then the output level. */
  inputs: SegmentReader[];
  outputLevel: number;
  reason: string;
  /** Every live segment is an input: tombstones can all go. */
  full: boolean;
}

export function levelMaxBytes(config: Config, level: number): number {
  return config.level1MaxBytes * Math.pow(config.levelSizeMultiplier, level - 1);
}

/** Where each level's round-robin compaction resumes: the largest key of the last segment pushed down. */
export type CompactPointers = Map<number, Buffer>;

export function pickCompaction(version: Version, config: Config, pointers: CompactPointers): CompactionPlan | null {
  const l0 = version.levels[0]!;
  if (l0.length >= config.compactionThreshold) {
    let lo = l0[0]!.minKey;
    let hi = l0[0]!.maxKey;
    for (const s of l0) {
      if (Buffer.compare(s.minKey, lo) < 0) lo = s.minKey;
      if (Buffer.compare(s.maxKey, hi) > 0) hi = s.maxKey;
    }
    return { inputs: [...l0, ...version.overlapping(1, lo, hi)], outputLevel: 1, reason: `level 0 holds ${l0.length} segments (threshold ${config.compactionThreshold})`, full: false };
  }
  for (let level = 1; level < version.levels.length; level++) {
    const bytes = version.levelBytes(level);
    const max = levelMaxBytes(config, level);
    if (bytes <= max) continue;
    const run = version.levels[level]!;
    const after = pointers.get(level);
    const seg = (after && run.find((s) => Buffer.compare(s.minKey, after) > 0)) || run[0]!;
    return { inputs: [seg, ...version.overlapping(level + 1, seg.minKey, seg.maxKey)], outputLevel: level + 1, reason: `level ${level} holds ${bytes} bytes (limit ${max})`, full: false };
  }
  return null;
}

/** Everything into one sorted run at the deepest level in use (at least 1); null when already compact. */
export function fullCompactionPlan(version: Version): CompactionPlan | null {
  const all = version.all();
  if (all.length === 0) return null;
  let deepest = 1;
  for (let l = 1; l < version.levels.length; l++) if (version.levels[l]!.length > 0) deepest = l;
  if (all.length === 1 && (version.levels[deepest]?.length ?? 0) === 1 && all[0]!.props.tombstones === 0) return null;
  return { inputs: all, outputLevel: deepest, reason: 'manual full compaction', full: true };
}

export interface CompactionOutput {
  id: number;
  path: string;
  props: SegmentProperties;
}

export interface CompactionContext {
  dir: string;
  config: Config;
  version: Version;
  newFileNumber: () => number;
}

/**
 * Merges the plan's inputs into new segment files of about segmentSize each and syncs them. It yields to
 * the event loop every few thousand entries, so reads and writes go on while it runs. Installing the
 * outputs (the manifest edit) is the engine's job.
 */
export async function runCompaction(plan: CompactionPlan, ctx: CompactionContext): Promise<CompactionOutput[]> {
  const { config, version } = ctx;
  const byLevel = new Map<number, SegmentReader[]>();
  for (const s of plan.inputs) {
    const level = version.levels.findIndex((l) => l.includes(s));
    if (!byLevel.has(level)) byLevel.set(level, []);
    byLevel.get(level)!.push(s);
  }
  const sources: Cursor[] = [];
  for (const level of [...byLevel.keys()].sort((a, b) => a - b)) {
    const segs = byLevel.get(level)!;
    if (level === 0) for (const s of segs) sources.push(new SegmentCursor(s, false));
    else sources.push(new LevelCursor(segs, false));
  }
  const merged = new MergingCursor(sources, false);
  merged.seek(null, true);
  const outputs: CompactionOutput[] = [];
  let builder: SegmentBuilder | null = null;
  const finish = async (): Promise<void> => {
    if (builder === null || builder.entries === 0) return;
    const id = ctx.newFileNumber();
    const path = join(ctx.dir, segmentFileName(id));
    const { chunks, props } = builder.finish();
    builder = null;
    await writeSegmentFile(path, chunks);
    outputs.push({ id, path, props });
  };
  let sinceYield = 0;
  while (merged.valid) {
    const key = merged.key;
    const value = merged.value;
    if (value !== null || (!plan.full && version.deeperMayHold(plan.outputLevel, key))) {
      builder ??= new SegmentBuilder(config.blockSize, config.bloomBitsPerKey);
      builder.add(key, value);
      if (builder.estimatedSize >= config.segmentSize) await finish();
    }
    merged.next();
    if (++sinceYield >= 2048) {
      sinceYield = 0;
      await new Promise<void>((r) => setImmediate(r));
    }
  }
  await finish();
  return outputs;
}
