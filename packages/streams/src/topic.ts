import { mkdirSync, type Stats, statSync } from 'node:fs';
import { join } from 'node:path';
import { EscError, FileAccessError, isErrno, loadJsonFile, writeFileAtomicSync } from '@esc/core';
import { z } from 'zod';
import { BatchBuilder } from './batch-builder.js';
import { runCleanJobInThread } from './cleaner-thread.js';
import { applyRetention, type RetentionResult } from './log-retention.js';
import { type CleanResult, finishSwaps, installClean, planClean } from './partition-cleaner.js';
import { PartitionLog } from './partition-log.js';
import { UnknownTopicError } from './stream-errors.js';
import { type TopicConfig, topicConfigSchema } from './topic-config.js';
import { acquireTopicLock, lockWanted, type ReleaseLock, type TopicLockOptions } from './topic-lock.js';
import { TopicWriter } from './topic-writer.js';

const TOPIC_FILE = 'topic.json';

const LOCK_DIR = '.lock';

const topicFileSchema = z.strictObject({
  format: z.literal('esc-topic'),
  version: z.literal(1),
  config: topicConfigSchema,
});

/** The files of a topic: its directory, config file, lock, and one directory per partition. */
export function topicPaths(root: string, name: string) {
  const dir = join(root, name);
  return {
    dir,
    config: join(dir, TOPIC_FILE),
    lock: join(dir, LOCK_DIR),
    cleanerLock: join(dir, '.cleaner.lock'),
    partition: (p: number) => join(dir, String(p)),
  };
}

export function encodeTopicFile(config: TopicConfig): string {
  return `${JSON.stringify({ format: 'esc-topic', version: 1, config }, null, 2)}\n`;
}

/** Reads a topic's config; a missing file is an unknown topic. */
export function readTopicConfig(root: string, name: string): { config: TopicConfig; stamp: string } {
  const path = topicPaths(root, name).config;
  try {
    // Stat first, then read: a change between the two is read now and seen again by the next check.
    const stamp = configStamp(statSync(path));
    return { config: loadJsonFile(path, topicFileSchema).config, stamp };
  } catch (err) {
    if (isErrno(err, 'ENOENT') || isErrno(err, 'ENOTDIR')) throw new UnknownTopicError(name);
    if (err instanceof FileAccessError && (err.errno === 'ENOENT' || err.errno === 'ENOTDIR'))
      throw new UnknownTopicError(name);
    if (err instanceof EscError) throw err;
    throw new FileAccessError(path, err);
  }
}

/**
 * What tells one version of the config file from the next. Not the mtime alone: file times come from the
 * kernel's coarse clock (4 ms steps on this project's machines), so a create and an alter a moment apart had
 * the same one, and the alter went unseen. Each write is a new file renamed over the old (writeFileAtomicSync),
 * created while the old still exists, so its inode differs from the file read before it; size and times narrow
 * the rest. Still missed: two or more alters between two checks within one clock step, the last reusing the
 * inode read before, at the same size; rare enough not to read the file at every append.
 */
function configStamp(st: Stats): string {
  return `${st.ino}:${st.size}:${st.mtimeMs}:${st.ctimeMs}`;
}

export function writeTopicConfig(root: string, name: string, config: TopicConfig): void {
  writeFileAtomicSync(topicPaths(root, name).config, encodeTopicFile(config));
}

export interface TopicOptions {
  clock: () => number;
  onWarning: (message: string) => void;
  lock: TopicLockOptions;
  /** How often a writing process runs retention by itself after appends (on the clock above). */
  maintenanceIntervalMs: number;
  /** StreamsOptions.lockLeaseMs. */
  leaseMs: number;
}

/** An open topic in this process: its config (re-read when another process alters it), partitions and writer. */
export class Topic {
  config: TopicConfig;
  private configStamp: string;
  readonly paths: ReturnType<typeof topicPaths>;
  private readonly logs: PartitionLog[] = [];
  readonly writer: TopicWriter;
  private compromised: Error | null = null;
  private roundRobin = 0;
  private encoder: BatchBuilder | null = null;

  /** Where this process encodes the topic's appends (made on the first append: readers need none). */
  get builder(): BatchBuilder {
    this.encoder ??= new BatchBuilder();
    return this.encoder;
  }
  private lastMaintenance = Number.NEGATIVE_INFINITY;
  private maintenance: Promise<void> | null = null;

  constructor(
    readonly root: string,
    readonly name: string,
    private readonly options: TopicOptions,
  ) {
    this.paths = topicPaths(root, name);
    const { config, stamp } = readTopicConfig(root, name);
    this.config = config;
    this.configStamp = stamp;
    this.syncLogs();
    this.writer = new TopicWriter({
      logs: () => this.logs,
      lock: () => this.lock(),
      clock: options.clock,
      beforeGroup: () => this.refreshConfig(),
      leaseMs: options.leaseMs,
      othersWaiting: (withinMs) => lockWanted(this.paths.lock, withinMs),
    });
  }

  /** The partition a keyless record goes to: round robin, as Kafka's producers spread records without keys. */
  nextKeylessPartition(): number {
    const p = this.roundRobin % this.config.partitions;
    this.roundRobin = p + 1;
    return p;
  }

  /** Re-reads topic.json if it changed (an alter in another process). */
  refreshConfig(): void {
    let stamp: string;
    try {
      stamp = configStamp(statSync(this.paths.config));
    } catch (err) {
      if (isErrno(err, 'ENOENT')) throw new UnknownTopicError(this.name);
      throw new FileAccessError(this.paths.config, err);
    }
    if (stamp === this.configStamp) return;
    const read = readTopicConfig(this.root, this.name);
    this.config = read.config;
    this.configStamp = read.stamp;
    this.syncLogs();
  }

  async lock(): Promise<ReleaseLock> {
    if (this.compromised !== null) throw this.compromised;
    return acquireTopicLock(this.paths.dir, this.paths.lock, this.options.lock, (err) => {
      this.compromised = new EscError(`lost the topic lock: ${err.message}`, { path: this.paths.lock });
    });
  }

  /**
   * Retention for every partition, under the write lock. Returns the deleted segments' base offsets per
   * partition.
   */
  async applyRetention(): Promise<RetentionResult[]> {
    const release = await this.lock();
    try {
      this.refreshConfig();
      const now = this.options.clock();
      this.lastMaintenance = now;
      return this.logs.map((log) => applyRetention(log.dir, this.config, now));
    } finally {
      await release();
    }
  }

  /**
   * Key compaction of every partition (Kafka's log cleaner): planned and installed under the write lock, the
   * rewrite itself on a thread of its own without it, so appends go on meanwhile. One cleaner per topic
   * across processes (its own lock). `force` cleans whatever is dirty, whatever the dirty ratio.
   */
  async compact(force: boolean): Promise<CleanResult[]> {
    // A target of its own: proper-lockfile keeps one lock per target path in a process.
    const releaseCleaner = await acquireTopicLock(
      join(this.paths.dir, 'cleaner'),
      this.paths.cleanerLock,
      this.options.lock,
      () => undefined,
    );
    try {
      const results: CleanResult[] = [];
      for (const log of this.logs) {
        const plan = await this.underLock(() => {
          this.refreshConfig();
          finishSwaps(log.dir);
          return planClean(log.dir, this.config, this.options.clock(), force);
        });
        if (plan === null) {
          results.push({ dirtyRatio: 0, groups: [] });
          continue;
        }
        const groups = await runCleanJobInThread(plan.job);
        const installed = await this.underLock(() => installClean(log.dir, plan.job, groups));
        results.push({ dirtyRatio: plan.dirtyRatio, groups: installed ? groups : [] });
      }
      return results;
    } finally {
      await releaseCleaner();
    }
  }

  private async underLock<T>(fn: () => T): Promise<T> {
    const release = await this.lock();
    try {
      return fn();
    } finally {
      await release();
    }
  }

  /**
   * Called after an append was acknowledged: when the last check is a minute old (on the topic's clock), runs
   * retention in the background; a failure is a warning, never a failed append.
   */
  maintainIfDue(): void {
    const interval = this.options.maintenanceIntervalMs;
    const now = this.options.clock();
    // The first append of a process checks at once (a CLI producer lives for one command); Infinity: never.
    if (this.maintenance !== null || interval === Number.POSITIVE_INFINITY || now - this.lastMaintenance < interval)
      return;
    this.lastMaintenance = now;
    this.maintenance = this.applyRetention()
      .then(() => undefined)
      .catch((err: unknown) =>
        this.options.onWarning(`retention of topic '${this.name}' failed: ${(err as Error).message}`),
      )
      .finally(() => {
        this.maintenance = null;
      });
  }

  async close(): Promise<void> {
    await this.maintenance;
    await this.writer.close();
    await Promise.all(this.logs.map((l) => l.close()));
  }

  private syncLogs(): void {
    while (this.logs.length < this.config.partitions) {
      const dir = this.paths.partition(this.logs.length);
      mkdirSync(dir, { recursive: true });
      this.logs.push(new PartitionLog(dir, () => this.config, this.options.onWarning));
    }
  }
}
