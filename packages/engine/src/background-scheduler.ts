import { unlink } from 'node:fs/promises';
import { join } from 'node:path';
import type { BlockCache } from './block-cache.js';
import { runCompaction, runFlush } from './background-thread.js';
import { compactionJob, fullCompactionPlan, isTrivialMove, pickCompaction, type CompactionPlan } from './compaction.js';
import type { Config } from './config.js';
import { flushJobOf } from './flush-job.js';
import type { Memtable } from './memtable.js';
import { segmentFileName } from './segment-format.js';
import { SegmentReader, type BloomStats } from './segment-reader.js';
import type { VersionSet } from './version-set.js';
import { walFileName } from './wal-format.js';
import type { WritePath } from './write-path.js';

/**
 * When flushes and compactions run (LevelDB's MaybeScheduleCompaction and BackgroundCall): at most one flush
 * and one compaction at a time, each started again when the other finishes, and the first failure kept so
 * every later write sees it.
 */
export class BackgroundScheduler {
  private flushing: Promise<void> | null = null;
  private compacting: Promise<void> | null = null;
  /** Unlinks of flushed logs still running. */
  private removals: Promise<void> = Promise.resolve();
  /** The first background failure; from then on writes throw it. */
  error: unknown = null;
  /** Set by close: no new compaction starts. */
  stopped = false;

  constructor(
    private readonly dir: string,
    private readonly config: Config,
    private readonly versions: VersionSet,
    private readonly writes: () => WritePath,
    private readonly cache: BlockCache,
    private readonly bloomStats: BloomStats,
  ) {}

  fail(err: unknown): void {
    this.error ??= err;
  }

  scheduleFlush(): void {
    const writes = this.writes();
    if (this.flushing !== null || writes.imms.length === 0 || this.error !== null) return;
    this.flushing = (async () => {
      while (writes.imms.length > 0) {
        // Every memtable frozen by now is flushed together, into one segment installed by one manifest edit:
        // when writes outrun flushes, the segment's and the manifest's syncs are shared instead of paid once
        // per memtable.
        const group = writes.imms.slice();
        const reader = await flushMemtables(
          this.dir,
          this.config,
          group,
          this.versions.newFileNumber(),
          this.cache,
          this.bloomStats,
          this.config.flushThread,
        );
        const nextLog = writes.oldestLogAfter(group.length);
        await this.versions.logAndApply({ add: [{ level: 0, reader }], logNumber: nextLog, flushes: group.length });
        writes.flushed(group.length);
        // Off the event loop; close waits for them. A log left by a crash here is below logNumber: open deletes it.
        const walDir = this.config.walDir;
        const unlinks = group.map((imm) => unlink(join(walDir, walFileName(imm.walNumber))).catch(() => {}));
        this.removals = Promise.all([this.removals, ...unlinks]).then(() => {});
      }
    })()
      .catch((err: unknown) => this.fail(err))
      .finally(() => {
        this.flushing = null;
        writes.resumeStalled(); // after a failure too: they see it when they retry
        this.scheduleFlush();
        this.maybeCompact();
      });
  }

  maybeCompact(): void {
    if (!this.config.autoCompact || this.compacting !== null || this.stopped || this.error !== null) return;
    const plan = pickCompaction(this.versions.version, this.config, this.versions.pointers);
    if (plan === null) return;
    this.compacting = this.runPlan(plan)
      .catch((err: unknown) => this.fail(err))
      .finally(() => {
        this.compacting = null;
        this.maybeCompact();
      });
  }

  /** Waits until every frozen memtable is flushed; throws the background failure, if any. */
  async flushAll(): Promise<void> {
    const writes = this.writes();
    while (writes.imms.length > 0) {
      if (this.error !== null) throw this.error;
      this.scheduleFlush();
      await this.flushing;
    }
    if (this.error !== null) throw this.error;
  }

  /** Merges every segment into one sorted run, after the running compaction. */
  async compactAll(checkOpen: () => void): Promise<void> {
    while (this.compacting !== null) await this.compacting;
    checkOpen();
    const plan = fullCompactionPlan(this.versions.version);
    if (plan === null) return;
    const run = this.runPlan(plan);
    this.compacting = run
      .catch(() => {})
      .finally(() => {
        this.compacting = null;
        this.maybeCompact();
      });
    await run;
  }

  /** Resolves when no flush, compaction, manifest edit or log removal is running. */
  async idle(): Promise<void> {
    while (this.flushing !== null || this.compacting !== null) {
      await this.flushing;
      await this.compacting;
    }
    await this.versions.idle();
    await this.removals;
  }

  private async runPlan(plan: CompactionPlan): Promise<void> {
    const versions = this.versions;
    for (const s of plan.inputs) s.ref();
    try {
      if (isTrivialMove(plan, versions.version, this.config)) {
        await versions.logAndApply({ move: { level: plan.outputLevel, readers: plan.inputs }, compaction: true });
      } else {
        const job = compactionJob(plan, versions.version, this.dir, this.config, (n) =>
          Array.from({ length: n }, () => versions.newFileNumber()),
        );
        const outputs = await runCompaction(job, this.config.compactionThread);
        const readers = outputs.map((o) => SegmentReader.open(o.id, o.path, this.cache, this.bloomStats));
        await versions.logAndApply({
          add: readers.map((reader) => ({ level: plan.outputLevel, reader })),
          remove: plan.inputs,
          compaction: true,
        });
      }
      if (!plan.full && plan.outputLevel >= 2) {
        const src = plan.inputs[0]!;
        versions.pointers.set(plan.outputLevel - 1, src.maxKey);
      }
    } finally {
      for (const s of plan.inputs) s.unref();
    }
  }
}

/** Writes the newest version of every key (tombstones included) of memtables, oldest first, to a new level-0 segment. */
export async function flushMemtables(
  dir: string,
  config: Config,
  tables: readonly Memtable[],
  id: number,
  cache: BlockCache,
  stats: BloomStats,
  onThread: boolean,
): Promise<SegmentReader> {
  const path = join(dir, segmentFileName(id));
  await runFlush(flushJobOf(tables, path, config.blockSize, config.bloomBitsPerKey), onThread);
  return SegmentReader.open(id, path, cache, stats);
}
