import { unlink } from 'node:fs/promises';
import { join } from 'node:path';
import type { Config } from './config.js';
import { LevelCursor, MergingCursor, type Cursor } from './merging-cursor.js';
import { segmentFileName, type SegmentProperties } from './segment-format.js';
import { SegmentCursor } from './segment-cursor.js';
import { SegmentReader } from './segment-reader.js';
import { SegmentBuilder, writeSegmentFile } from './segment-writer.js';
import { findCovering, type Version } from './version.js';
import { compareKeys } from './key-compare.js';

/**
 * Leveled compaction, as LevelDB (docs/engine.md, "Compaction"):
 * - when level 0 holds `compactionThreshold` segments, all of them merge with the level-1 segments they
 *   overlap into new level-1 segments;
 * - when level L ≥ 1 holds more than level1MaxBytes·multiplier^(L−1) bytes, one of its segments (round
 *   robin through the key space) merges with the level-(L+1) segments it overlaps.
 * A merge keeps the newest version of each key and drops a tombstone only when no deeper level can still
 * hold the key (no deeper segment's key range covers it), so a delete never lets an older value come back.
 */
export interface CompactionPlan {
  /** Newest first: level-0 inputs by age, then the source level, then the output level. */
  inputs: SegmentReader[];
  outputLevel: number;
  reason: string;
  /** Every live segment is an input: tombstones can all go. */
  full: boolean;
}

function levelMaxBytes(config: Config, level: number): number {
  return config.level1MaxBytes * config.levelSizeMultiplier ** (level - 1);
}

/** Where each level's round-robin compaction resumes: the largest key of the last segment pushed down. */
export type CompactPointers = Map<number, Buffer>;

export function pickCompaction(version: Version, config: Config, pointers: CompactPointers): CompactionPlan | null {
  const l0 = version.levels[0]!;
  if (l0.length >= config.compactionThreshold) {
    let lo = l0[0]!.minKey;
    let hi = l0[0]!.maxKey;
    for (const s of l0) {
      if (compareKeys(s.minKey, lo) < 0) lo = s.minKey;
      if (compareKeys(s.maxKey, hi) > 0) hi = s.maxKey;
    }
    return {
      inputs: [...l0, ...version.overlapping(1, lo, hi)],
      outputLevel: 1,
      reason: `level 0 holds ${l0.length} segments (threshold ${config.compactionThreshold})`,
      full: false,
    };
  }
  for (let level = 1; level < version.levels.length; level++) {
    const bytes = version.levelBytes(level);
    const max = levelMaxBytes(config, level);
    if (bytes <= max) continue;
    const run = version.levels[level]!;
    const after = pointers.get(level);
    const seg = (after && run.find((s) => compareKeys(s.minKey, after) > 0)) || run[0]!;
    return {
      inputs: [seg, ...version.overlapping(level + 1, seg.minKey, seg.maxKey)],
      outputLevel: level + 1,
      reason: `level ${level} holds ${bytes} bytes (limit ${max})`,
      full: false,
    };
  }
  return null;
}

/**
 * Whether a plan can be carried out by moving its inputs down a level without rewriting them (LevelDB's
 * trivial move): nothing in the output level overlaps them, they do not overlap each other (level-0 inputs
 * may), and they overlap at most 10 × segmentSize bytes of the level below the output, so the move does not
 * set up an oversized merge later. A sequential load then costs no merges at all. Tombstones move with their
 * segment, which is always safe.
 */
export function isTrivialMove(plan: CompactionPlan, version: Version, config: Config): boolean {
  if (plan.full) return false;
  const inputs = plan.inputs;
  if (inputs.some((s) => (version.levels[plan.outputLevel] ?? []).includes(s))) return false;
  const sorted = [...inputs].sort((a, b) => compareKeys(a.minKey, b.minKey));
  for (let i = 1; i < sorted.length; i++) if (compareKeys(sorted[i - 1]!.maxKey, sorted[i]!.minKey) >= 0) return false;
  let below = 0;
  for (const s of version.overlapping(plan.outputLevel + 1, sorted[0]!.minKey, sorted[sorted.length - 1]!.maxKey))
    below += s.sizeBytes;
  return below <= 10 * config.segmentSize;
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

/** A key range: what tombstone dropping needs to know of a segment it does not read. */
interface KeyRange {
  minKey: Buffer;
  maxKey: Buffer;
}

/**
 * Everything a merge needs, as plain data, so it can run on a worker thread: input files by level
 * (newest first), the output level, the key ranges of every deeper level, and file numbers reserved for
 * its outputs.
 */
export interface CompactionJob {
  dir: string;
  config: Config;
  runs: { level: number; paths: string[]; ids: number[] }[];
  outputLevel: number;
  full: boolean;
  deeper: KeyRange[][];
  fileNumbers: number[];
}

export function compactionJob(
  plan: CompactionPlan,
  version: Version,
  dir: string,
  config: Config,
  reserve: (n: number) => number[],
): CompactionJob {
  const runs: CompactionJob['runs'] = [];
  let bytes = 0;
  for (let level = 0; level < version.levels.length; level++) {
    const segs = version.levels[level]!.filter((s) => plan.inputs.includes(s));
    for (const s of segs) bytes += s.sizeBytes;
    if (level === 0) for (const s of segs) runs.push({ level, paths: [s.path], ids: [s.id] });
    else if (segs.length > 0) runs.push({ level, paths: segs.map((s) => s.path), ids: segs.map((s) => s.id) });
  }
  const deeper = version.levels
    .slice(plan.outputLevel + 1)
    .map((run) => run.map((s) => ({ minKey: s.minKey, maxKey: s.maxKey })));
  // Outputs are cut at segmentSize; a block may overshoot it, hence the spare numbers.
  const count = Math.ceil(bytes / config.segmentSize) * 2 + 2;
  return { dir, config, runs, outputLevel: plan.outputLevel, full: plan.full, deeper, fileNumbers: reserve(count) };
}

/**
 * Merges the job's inputs into new segment files of about segmentSize each and syncs them. It opens its
 * own readers by path (the engine keeps the inputs referenced, so they stay), which lets it run on a
 * worker thread; in-process it yields to the event loop every few thousand entries. Installing the
 * outputs (the manifest edit) is the engine's job.
 */
export async function runCompactionJob(job: CompactionJob): Promise<CompactionOutput[]> {
  const { config } = job;
  const readers: SegmentReader[] = [];
  const outputs: CompactionOutput[] = [];
  try {
    const sources: Cursor[] = [];
    for (const run of job.runs) {
      const segs = run.paths.map((p, i) => SegmentReader.open(run.ids[i]!, p, null, null));
      readers.push(...segs);
      sources.push(run.level === 0 ? new SegmentCursor(segs[0]!, false) : new LevelCursor(segs, false));
    }
    const merged = new MergingCursor(sources, false);
    merged.seek(null, true);
    let builder: SegmentBuilder | null = null;
    let numbers = 0;
    const finish = async (): Promise<void> => {
      if (builder === null || builder.entries === 0) return;
      const id = job.fileNumbers[numbers++];
      if (id === undefined) throw new Error('compaction ran out of reserved file numbers');
      const path = join(job.dir, segmentFileName(id));
      const { chunks, props } = builder.finish();
      builder = null;
      await writeSegmentFile(path, chunks);
      outputs.push({ id, path, props });
    };
    let sinceYield = 0;
    while (merged.valid) {
      const key = merged.key;
      const value = merged.value;
      if (value !== null || (!job.full && job.deeper.some((run) => findCovering(run, key) !== undefined))) {
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
  } catch (err) {
    // Outputs of a failed merge are referenced by nothing; the next open would delete them anyway.
    for (const o of outputs) await unlink(o.path).catch(() => {});
    throw err;
  } finally {
    for (const r of readers) r.unref();
  }
}
