import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { EscError } from '@esc/core';
import { BackgroundScheduler } from './background-scheduler.js';
import { resolveConfig, type Config } from './config.js';
import { acquireDirLockWaiting, type DirLock } from './dir-lock.js';
import { collectStats, measureBloomFilters, type EngineStats, type RecoveryReport } from './engine-stats.js';
import { verifyFiles, type VerifyReport } from './engine-verify.js';
import { SnapshotIterator, type EngineIterator, type RangeOptions } from './engine-iterator.js';
import { asBuffer, type Bytes } from './key-compare.js';
import { recover, type RecoveredState } from './recovery.js';
import type { BloomStats, SegmentReader } from './segment-reader.js';
import { VersionSet } from './version-set.js';
import { WritePath } from './write-path.js';
import { encodeBatch, type BatchInput } from './write-batch.js';

export type BatchOp = { type: 'put'; key: Bytes; value: Bytes } | { type: 'del'; key: Bytes };
export interface WriteOptions {
  /** Wait until the write is on stable storage (default: true only when syncMode is 'always'). */
  sync?: boolean;
}

const RESOLVED: Promise<void> = Promise.resolve();
const RESOLVED_UNDEFINED: Promise<undefined> = Promise.resolve(undefined);

export class EngineClosedError extends EscError {
  constructor(dir: string) {
    super('database is closed', { path: dir });
  }
}

/**
 * The storage engine: a write goes to the write-ahead log, then into the memtable (write-path.ts); a full
 * memtable is frozen and flushed in the background to a level-0 segment, and compaction merges segments down
 * the levels (background-scheduler.ts); every change to the live segments is a manifest edit
 * (version-set.ts); open replays what the logs hold (recovery.ts). A read checks the memtable, the frozen
 * memtables, then segments newest to oldest.
 */
export class Engine {
  private readonly versions: VersionSet;
  private readonly writes: WritePath;
  private readonly background: BackgroundScheduler;
  private closing: Promise<void> | null = null;
  private readonly bloomStats: BloomStats;
  /** What open() found and repaired (also in stats()). */
  readonly recovery: RecoveryReport;

  private constructor(
    readonly dir: string,
    readonly config: Config,
    private readonly lock: DirLock,
    state: RecoveredState,
  ) {
    this.bloomStats = state.bloomStats;
    this.recovery = state.recovery;
    this.versions = new VersionSet(dir, config.walDir, () => this.writes.seq, state);
    this.background = new BackgroundScheduler(
      dir,
      config,
      this.versions,
      () => this.writes,
      state.cache,
      state.bloomStats,
    );
    this.writes = new WritePath(
      config,
      this.versions,
      {
        checkOpen: () => this.checkOpen(),
        scheduleFlush: () => this.background.scheduleFlush(),
        fail: (err) => this.background.fail(err),
      },
      state.mem,
      state.wal,
      state.seq,
      state.walCounters,
    );
  }

  static async open(dirArg: string, partial: Partial<Config> = {}): Promise<Engine> {
    const dir = resolve(dirArg);
    const resolved = resolveConfig(partial);
    const config: Config = { ...resolved, walDir: resolve(dir, resolved.walDir === '' ? '.' : resolved.walDir) };
    mkdirSync(dir, { recursive: true });
    mkdirSync(config.walDir, { recursive: true });
    const lock = await acquireDirLockWaiting(dir, config.lockTimeoutMs);
    const opened: SegmentReader[] = [];
    try {
      const engine = new Engine(dir, config, lock, await recover(dir, config, lock, opened));
      engine.background.maybeCompact();
      return engine;
    } catch (err) {
      for (const s of opened) s.unref();
      lock.release();
      throw err;
    }
  }

  // ---- writes ----------------------------------------------------------------------------------------

  put(key: Bytes, value: Bytes, options?: WriteOptions): Promise<void> {
    try {
      return this.write([{ key, value }], options?.sync);
    } catch (err) {
      return Promise.reject(err);
    }
  }

  del(key: Bytes, options?: WriteOptions): Promise<void> {
    try {
      return this.write([{ key, value: null }], options?.sync);
    } catch (err) {
      return Promise.reject(err);
    }
  }

  /** Applies all operations or none: they share one log record, and become visible together. */
  batch(ops: readonly BatchOp[], options?: WriteOptions): Promise<void> {
    try {
      if (ops.length === 0) return RESOLVED;
      return this.write(ops, options?.sync);
    } catch (err) {
      return Promise.reject(err);
    }
  }

  private write(ops: readonly BatchInput[], sync: boolean | undefined): Promise<void> {
    this.checkOpen();
    // Encoded (and validated) now, so a caller may reuse its buffers at once, even if the write must wait.
    return this.writes.commit(encodeBatch(0, ops), sync);
  }

  private checkOpen(): void {
    if (this.closing !== null) throw new EngineClosedError(this.dir);
    if (this.background.error !== null) throw this.background.error;
  }

  /** Writes the memtable to a segment now and waits until every frozen memtable is flushed. */
  async flush(): Promise<void> {
    this.checkOpen();
    if (this.writes.mem.entries > 0) this.writes.rotate();
    await this.background.flushAll();
  }

  /** Flushes, then merges every segment into one sorted run, dropping all tombstones and old versions. */
  async compact(): Promise<void> {
    await this.flush();
    await this.background.compactAll(() => this.checkOpen());
  }

  // ---- reads --------------------------------------------------------------------------------------

  get(key: Bytes): Promise<Buffer | undefined> {
    try {
      if (this.closing !== null) throw new EngineClosedError(this.dir);
      const k = asBuffer(key);
      const { mem, imms } = this.writes;
      let n = mem.get(k);
      for (let i = imms.length - 1; n === undefined && i >= 0; i--) n = imms[i]!.get(k);
      if (n !== undefined) {
        const v = n.value;
        return v === null ? RESOLVED_UNDEFINED : Promise.resolve(Buffer.from(v));
      }
      const v = this.versions.version.get(k);
      return v === undefined || v === null ? RESOLVED_UNDEFINED : Promise.resolve(Buffer.from(v));
    } catch (err) {
      return Promise.reject(err);
    }
  }

  iterator(options: RangeOptions = {}): EngineIterator {
    if (this.closing !== null) throw new EngineClosedError(this.dir);
    const memtables = [this.writes.mem, ...this.writes.imms.slice().reverse()];
    return new SnapshotIterator(memtables, this.writes.seq, this.versions.version, options);
  }

  // ---- inspection ---------------------------------------------------------------------------------

  /**
   * Probes the live segments' bloom filters with `probes` random keys in all, counting them into
   * stats().bloom, so a process that made no lookups of its own can report a measured false-positive rate.
   */
  measureBloomFilters(probes = 20_000): void {
    measureBloomFilters(this.versions.version, probes);
  }

  async stats(): Promise<EngineStats> {
    return collectStats(this.dir, this.config, this.versions, this.writes, this.bloomStats, this.recovery);
  }

  /** Checks every checksum of the manifest, every live segment and every live log. */
  async verify(): Promise<VerifyReport> {
    this.writes.wal.writePending();
    return verifyFiles(this.dir, this.versions.version, this.config.walDir, this.writes.liveLogs());
  }

  /** Waits for the running flush and compaction, syncs the log, releases files and the lock. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      this.background.stopped = true;
      await this.background.idle();
      try {
        await this.writes.wal.close(true);
      } finally {
        // Even when the last sync failed, the files and the lock are let go; the error still reaches the caller.
        for (const s of this.versions.version.all()) s.unref();
        this.lock.release();
      }
    })();
    return this.closing;
  }
}

export function open(dir: string, config?: Partial<Config>): Promise<Engine> {
  return Engine.open(dir, config);
}
