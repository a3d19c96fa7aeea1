import { existsSync, readFileSync, renameSync, statSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import { FileAccessError, fsyncDirSync, isErrno, writeFileAtomicSync } from '@esc/core';
import { CLEANED_SUFFIX, type CleanedGroup, type CleanJob, type FirstCleaned } from './log-cleaner.js';
import { segmentMaxTimestamp } from './log-retention.js';
import { listSegments, segmentFiles } from './segment.js';
import { compacts, type TopicConfig } from './topic-config.js';

/** Per partition: how far the log is clean, and swaps decided but maybe not finished (Kafka's checkpoint). */
interface CleanerState {
  cleanEnd: number;
  swaps: { base: number; sources: number[] }[];
  /**
   * When each part of the clean log was cleaned for the first time (Kafka's per-segment delete horizon, kept
   * per range of offsets so that merging segments loses nothing). Absent in files written before it existed.
   */
  firstCleaned?: FirstCleaned[];
}

export const CLEANER_STATE_FILE = 'cleaner.json';

export interface CleanResult {
  /** The dirty share of the closed log when the pass was planned. */
  dirtyRatio: number;
  groups: CleanedGroup[];
}

function statePath(dir: string): string {
  return join(dir, CLEANER_STATE_FILE);
}

export function readCleanerState(dir: string): CleanerState {
  try {
    return JSON.parse(readFileSync(statePath(dir), 'utf8')) as CleanerState;
  } catch (err) {
    if (isErrno(err, 'ENOENT')) return { cleanEnd: 0, swaps: [] };
    throw new FileAccessError(statePath(dir), err);
  }
}

/**
 * Finishes swaps recorded in the state file (the commit point of a cleaning: written only once every
 * `.cleaned` file is complete and synced): each cleaned file is renamed over its segment's (log first),
 * then the other source segments are deleted. Idempotent, so a crash anywhere is finished by the next run.
 * A `.cleaned` file with no recorded swap is an unfinished pass and is deleted.
 */
export function finishSwaps(dir: string): void {
  const state = readCleanerState(dir);
  for (const swap of state.swaps) {
    const target = segmentFiles(dir, swap.base);
    for (const path of [target.log, target.index, target.timeIndex])
      if (existsSync(path + CLEANED_SUFFIX)) renameSync(path + CLEANED_SUFFIX, path);
    for (const source of swap.sources.slice(1)) {
      const f = segmentFiles(dir, source);
      for (const path of [f.log, f.index, f.timeIndex]) removeIfThere(path);
    }
  }
  if (state.swaps.length > 0) {
    fsyncDirSync(dir);
    writeFileAtomicSync(statePath(dir), JSON.stringify({ ...state, swaps: [] }));
  }
  for (const base of listSegments(dir)) {
    const f = segmentFiles(dir, base);
    for (const path of [f.log, f.index, f.timeIndex]) removeIfThere(path + CLEANED_SUFFIX);
  }
}

/**
 * Plans a cleaning pass, or returns null when there is nothing to do: the dirty part is the closed segments
 * at or past the clean point, up to the first one holding a record younger than minCompactionLagMs; it is
 * cleaned when dirty / (clean + dirty) reaches minCleanableDirtyRatio (or always with `force`).
 */
export function planClean(
  dir: string,
  config: TopicConfig,
  now: number,
  force: boolean,
): { job: CleanJob; dirtyRatio: number } | null {
  if (!compacts(config.cleanupPolicy)) return null;
  const bases = listSegments(dir);
  if (bases.length < 2) return null;
  const state = readCleanerState(dir);
  const firstDirty = Math.max(state.cleanEnd, bases[0]!);
  let clean = 0;
  let dirty = 0;
  let end = -1;
  for (let i = 0; i < bases.length - 1; i++) {
    const size = statSync(segmentFiles(dir, bases[i]!).log).size;
    if (bases[i + 1]! <= firstDirty) {
      clean += size;
      continue;
    }
    if (config.minCompactionLagMs > 0 && now - segmentMaxTimestamp(dir, bases[i]!) < config.minCompactionLagMs) break;
    dirty += size;
    end = i;
  }
  if (end < 0 || dirty === 0) return null;
  const dirtyRatio = dirty / (clean + dirty);
  if (!force && dirtyRatio < config.minCleanableDirtyRatio) return null;
  return {
    dirtyRatio,
    job: {
      dir,
      segments: bases.slice(0, end + 1),
      firstDirty,
      cleanableEnd: bases[end + 1]!,
      now,
      firstCleaned: firstCleanedBefore(state, firstDirty, bases[0]!, now, config.deleteRetentionMs),
      deleteRetentionMs: config.deleteRetentionMs,
      segmentBytes: config.segmentBytes,
      indexIntervalBytes: config.indexIntervalBytes,
    },
  };
}

/**
 * Installs a finished pass (with the topic's write lock held): if retention deleted a source meanwhile the
 * pass is thrown away; else the swaps and the new clean point are recorded in one atomic write, then done.
 */
export function installClean(dir: string, job: CleanJob, groups: CleanedGroup[]): boolean {
  const present = new Set(listSegments(dir));
  if (!job.segments.every((b) => present.has(b))) {
    finishSwaps(dir);
    return false;
  }
  const state = readCleanerState(dir);
  writeFileAtomicSync(
    statePath(dir),
    JSON.stringify({
      cleanEnd: job.cleanableEnd,
      swaps: [...state.swaps, ...groups.map((g) => ({ base: g.base, sources: g.sources }))],
      // The dirty part is cleaned for the first time now: its tombstones' deleteRetentionMs starts here.
      firstCleaned: [...job.firstCleaned, { end: job.cleanableEnd, at: job.now }],
    } satisfies CleanerState),
  );
  finishSwaps(dir);
  return true;
}

/**
 * The first-cleaned ranges that cover the clean part `[logStart, firstDirty)`, trimmed: ranges wholly below
 * the log start are gone with their segments, and neighbouring ranges whose tombstones have all expired are
 * merged (keeping the later time), so the list stays short. Offsets below the clean point that no range
 * covers were cleaned by a version that did not record the time (it counted from record timestamps): they
 * count as cleaned now, so their tombstones are kept deleteRetentionMs more rather than dropped early.
 */
function firstCleanedBefore(
  state: CleanerState,
  firstDirty: number,
  logStart: number,
  now: number,
  deleteRetentionMs: number,
): FirstCleaned[] {
  const out: FirstCleaned[] = [];
  const expired = (r: FirstCleaned) => r.at + deleteRetentionMs <= now;
  for (const r of state.firstCleaned ?? []) {
    if (r.end <= logStart) continue;
    const last = out.at(-1);
    if (last !== undefined && expired(last) && expired(r))
      out[out.length - 1] = { end: r.end, at: Math.max(last.at, r.at) };
    else out.push({ ...r });
  }
  const covered = out.at(-1)?.end ?? logStart;
  if (covered < firstDirty) out.push({ end: firstDirty, at: now });
  return out;
}

function removeIfThere(path: string): void {
  try {
    unlinkSync(path);
  } catch (err) {
    if (!isErrno(err, 'ENOENT')) throw new FileAccessError(path, err);
  }
}
