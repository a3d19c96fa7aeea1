import { isAbsolute, relative } from 'node:path';
import type { CompactPointers } from './compaction.js';
import { compareKeys } from './key-compare.js';
import { writeManifest, type ManifestData } from './manifest.js';
import { manifestEntry } from './segment-meta.js';
import type { SegmentReader } from './segment-reader.js';
import { Version } from './version.js';

/** One change to the set of live segments, as LevelDB's VersionEdit. */
export interface ManifestEdit {
  add?: { level: number; reader: SegmentReader }[];
  remove?: SegmentReader[];
  /** Segments that stay live, moved to another level (a trivial move): not obsolete, not unreferenced. */
  move?: { level: number; readers: SegmentReader[] };
  logNumber?: number;
  flushes?: number;
  compaction?: boolean;
}

export interface VersionSetState {
  version: Version;
  nextFile: number;
  logNumber: number;
  flushes: number;
  compactions: number;
}

/**
 * The current Version and the counters the manifest records with it (as LevelDB's version_set): file
 * numbers, the oldest log still needed, flush and compaction counts. Every change goes through logAndApply.
 */
export class VersionSet {
  version: Version;
  private nextFile: number;
  logNumber: number;
  flushes: number;
  compactions: number;
  /** Where each level's last compaction stopped, so the next one starts after it (LevelDB's compact pointers). */
  readonly pointers: CompactPointers = new Map();
  private queue: Promise<void> = Promise.resolve();

  constructor(
    private readonly dir: string,
    private readonly walDir: string,
    /** The newest sequence number handed out, recorded with every edit. */
    private readonly lastSequence: () => number,
    state: VersionSetState,
  ) {
    this.version = state.version;
    this.nextFile = state.nextFile;
    this.logNumber = state.logNumber;
    this.flushes = state.flushes;
    this.compactions = state.compactions;
  }

  /** A file number (log or segment) never used before in this directory. */
  newFileNumber(): number {
    return this.nextFile++;
  }

  /**
   * Makes a change to the set of live segments durable (manifest rename), then visible. Edits are queued,
   * so two renames never race and each new manifest is computed from the one before.
   */
  logAndApply(edit: ManifestEdit): Promise<void> {
    const p = this.queue.then(() => this.apply(edit));
    this.queue = p.catch(() => {});
    return p;
  }

  /** Resolves once every queued edit has been written. */
  idle(): Promise<void> {
    return this.queue;
  }

  private async apply(edit: ManifestEdit): Promise<void> {
    const removed = new Set(edit.remove ?? []);
    const moved = new Set(edit.move?.readers ?? []);
    const levels = this.version.levels.map((l) => l.filter((s) => !removed.has(s) && !moved.has(s)));
    const add = [...(edit.add ?? []), ...[...moved].map((reader) => ({ level: edit.move!.level, reader }))];
    for (const { level, reader } of add) {
      while (levels.length <= level) levels.push([]);
      levels[level]!.push(reader);
    }
    sortLevels(levels);
    while (levels.length > 1 && levels[levels.length - 1]!.length === 0) levels.pop();
    const next = new Version(levels);
    const logNumber = edit.logNumber ?? this.logNumber;
    const flushes = this.flushes + (edit.flushes ?? 0);
    const compactions = this.compactions + (edit.compaction ? 1 : 0);
    await writeManifest(
      this.dir,
      manifestOf(next, {
        nextFileNumber: this.nextFile,
        logNumber,
        lastSequence: this.lastSequence(),
        flushes,
        compactions,
        walDir: recordedPath(this.dir, this.walDir),
      }),
    );
    this.version = next;
    this.logNumber = logNumber;
    this.flushes = flushes;
    this.compactions = compactions;
    for (const s of removed) {
      s.obsolete = true;
      s.unref();
    }
  }
}

/** walDir as the manifest records it: relative when inside the database directory, so the two can move together. */
export function recordedPath(dir: string, walDir: string): string {
  const rel = relative(dir, walDir);
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel)) ? rel : walDir;
}

/** Level 0 newest first (its segments overlap, the newest wins); deeper levels by key. */
export function sortLevels(levels: SegmentReader[][]): void {
  levels[0]!.sort((a, b) => b.id - a.id);
  for (let l = 1; l < levels.length; l++) levels[l]!.sort((a, b) => compareKeys(a.minKey, b.minKey));
}

export function manifestOf(version: Version, fields: Omit<ManifestData, 'formatVersion' | 'segments'>): ManifestData {
  const segments = version.levels.flatMap((run, level) => run.map((s) => manifestEntry(s, level)));
  return { formatVersion: 1, ...fields, segments };
}
