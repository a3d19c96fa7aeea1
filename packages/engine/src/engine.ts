import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, readdirSync, statSync, truncateSync, unlinkSync } from 'node:fs';
import { unlink } from 'node:fs/promises';
import { isAbsolute, join, relative, resolve } from 'node:path';
import { CorruptionError, EscError, fsyncDirSync, isErrno } from '@esc/core';
import { theoreticalFpRate } from './bloom-filter.js';
import { BlockCache } from './block-cache.js';
import {
  compactionJob,
  fullCompactionPlan,
  isTrivialMove,
  pickCompaction,
  type CompactPointers,
  type CompactionPlan,
} from './compaction.js';
import { runCompaction, runFlush } from './background-thread.js';
import { resolveConfig, type Config } from './config.js';
import { acquireDirLock, type DirLock } from './dir-lock.js';
import { SnapshotIterator, type EngineIterator, type RangeOptions } from './engine-iterator.js';
import { asBuffer, compareKeys, type Bytes } from './key-compare.js';
import {
  MANIFEST_FILE,
  decodeManifest,
  emptyManifest,
  readManifest,
  writeManifest,
  type ManifestData,
  type SegmentMeta,
} from './manifest.js';
import { flushJobOf } from './flush-job.js';
import { Memtable } from './memtable.js';
import { parseSegmentFileName, segmentFileName, type SegmentProperties } from './segment-format.js';
import { SegmentReader, type BloomStats, type VerifyProblem } from './segment-reader.js';
import { Version } from './version.js';
import { RecordType, frameRecord, parseWalFileName, walFileName } from './wal-format.js';
import { readWal, type TornTail } from './wal-reader.js';
import { WalWriter } from './wal-writer.js';
import { decodeBatch, encodeBatch, setBatchSequence, type BatchInput, type EncodedBatch } from './write-batch.js';

export type BatchOp = { type: 'put'; key: Bytes; value: Bytes } | { type: 'del'; key: Bytes };
export interface WriteOptions {
  /** Wait until the write is on stable storage (default: true only when syncMode is 'always'). */
  sync?: boolean;
}

export interface SegmentInfo {
  id: number;
  file: string;
  level: number;
  minKey: Buffer;
  maxKey: Buffer;
  sizeBytes: number;
  entries: number;
  tombstones: number;
  bloomBitsPerKey: number;
  bloomHashes: number;
  createdAt: number;
}

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
  recovery: { tornTails: TornTail[]; staleLockPid: number | null; replayedBatches: number };
}

export interface VerifyReport {
  ok: boolean;
  filesChecked: number;
  problems: VerifyProblem[];
}

interface ManifestEdit {
  add?: { level: number; reader: SegmentReader }[];
  remove?: SegmentReader[];
  /** Segments that stay live, moved to another level (a trivial move): not obsolete, not unreferenced. */
  move?: { level: number; readers: SegmentReader[] };
  logNumber?: number;
  flushes?: number;
  compaction?: boolean;
}

const RESOLVED: Promise<void> = Promise.resolve();
const RESOLVED_UNDEFINED: Promise<undefined> = Promise.resolve(undefined);

export class EngineClosedError extends EscError {
  constructor(dir: string) {
    super('database is closed', { path: dir });
  }
}

/**
 * The storage engine: a write goes to the write-ahead log, then into the memtable; a full memtable is
 * frozen and flushed in the background to a level-0 segment; compaction merges segments down the levels.
 * A read checks the memtable, the frozen memtables, then segments newest to oldest.
 */
export class Engine {
  private mem: Memtable;
  /** Frozen memtables waiting for their flush, oldest first. */
  private imms: Memtable[] = [];
  private wal: WalWriter;
  private version: Version;
  private seq: number;
  private nextFile: number;
  private logNumber: number;
  private flushes: number;
  private compactions: number;
  private flushing: Promise<void> | null = null;
  private compacting: Promise<void> | null = null;
  private manifestQueue: Promise<void> = RESOLVED;
  /** Writers waiting for a flush to make room, in arrival order. */
  private stalled: (() => void)[] = [];
  /** Unlinks of flushed logs still running. */
  private removals: Promise<void> = RESOLVED;
  private backgroundError: unknown = null;
  private closing: Promise<void> | null = null;
  private readonly pointers: CompactPointers = new Map();
  private readonly bloomStats: BloomStats;
  private readonly cache: BlockCache;
  private readonly walDir: string;
  private readonly walCounters: { syncs: number };

  private constructor(
    readonly dir: string,
    readonly config: Config,
    private readonly lock: DirLock,
    state: {
      mem: Memtable;
      wal: WalWriter;
      version: Version;
      seq: number;
      nextFile: number;
      logNumber: number;
      flushes: number;
      compactions: number;
      bloomStats: BloomStats;
      cache: BlockCache;
      recovery: EngineStats['recovery'];
      walCounters: { syncs: number };
    },
  ) {
    this.walDir = config.walDir;
    this.mem = state.mem;
    this.wal = state.wal;
    this.version = state.version;
    this.seq = state.seq;
    this.nextFile = state.nextFile;
    this.logNumber = state.logNumber;
    this.flushes = state.flushes;
    this.compactions = state.compactions;
    this.bloomStats = state.bloomStats;
    this.cache = state.cache;
    this.recovery = state.recovery;
    this.walCounters = state.walCounters;
  }

  /** What open() found and repaired (also in stats()). */
  readonly recovery: EngineStats['recovery'];

  static async open(dirArg: string, partial: Partial<Config> = {}): Promise<Engine> {
    const dir = resolve(dirArg);
    const resolved = resolveConfig(partial);
    const config: Config = { ...resolved, walDir: resolve(dir, resolved.walDir === '' ? '.' : resolved.walDir) };
    mkdirSync(dir, { recursive: true });
    mkdirSync(config.walDir, { recursive: true });
    const lock = acquireDirLock(dir);
    const opened: SegmentReader[] = [];
    try {
      return await Engine.recover(dir, config, lock, opened);
    } catch (err) {
      for (const s of opened) s.unref();
      lock.release();
      throw err;
    }
  }

  /**
   * Recovery: read the manifest, open its segments, replay every log from the manifest's log number on
   * (cutting off and reporting a torn tail), write what was replayed to a level-0 segment, point the
   * manifest at a fresh log, and delete files nothing references: outputs of a flush or compaction that
   * crashed before its manifest rename, inputs of one that crashed after it, replayed logs.
   */
  private static async recover(dir: string, config: Config, lock: DirLock, opened: SegmentReader[]): Promise<Engine> {
    const existing = readManifest(dir);
    const dirFiles = readdirSync(dir);
    // The logs still needed may sit where the manifest says the last owner wrote them, if this open was
    // given another walDir: both are read, so changing walDir never loses an acknowledged write.
    const walDirs = [config.walDir];
    const recordedWalDir = existing?.walDir === undefined ? undefined : resolve(dir, existing.walDir);
    if (recordedWalDir !== undefined && recordedWalDir !== config.walDir) walDirs.push(recordedWalDir);
    const walFilesByDir = walDirs.map((d) => {
      if (d === dir) return dirFiles;
      try {
        return readdirSync(d);
      } catch (err) {
        throw new CorruptionError(
          `the MANIFEST says the write-ahead logs are in ${d}, which cannot be read (${(err as NodeJS.ErrnoException).code ?? 'error'})`,
          { path: join(dir, MANIFEST_FILE), offset: 0 },
        );
      }
    });
    if (existing === undefined && dirFiles.some((f) => parseSegmentFileName(f) !== undefined)) {
      throw new CorruptionError('segment files exist but the MANIFEST is missing; refusing to start over them', {
        path: join(dir, MANIFEST_FILE),
        offset: 0,
      });
    }
    const manifest: ManifestData = existing ?? emptyManifest();
    let maxSeen = manifest.nextFileNumber - 1;
    for (const f of dirFiles) maxSeen = Math.max(maxSeen, parseSegmentFileName(f) ?? 0);
    for (const files of walFilesByDir) for (const f of files) maxSeen = Math.max(maxSeen, parseWalFileName(f) ?? 0);
    let nextFile = maxSeen + 1;

    const bloomStats: BloomStats = { probes: 0, falsePositives: 0 };
    const cache = new BlockCache(config.blockCacheSize);
    const levels: SegmentReader[][] = [[]];
    for (const meta of manifest.segments) {
      const path = join(dir, segmentFileName(meta.id));
      let reader: SegmentReader;
      try {
        reader = SegmentReader.open(meta.id, path, cache, bloomStats, propsFromMeta(meta));
      } catch (err) {
        if (isErrno((err as { cause?: unknown }).cause, 'ENOENT'))
          throw new CorruptionError('segment listed in the MANIFEST is missing', { path, offset: 0 });
        throw err;
      }
      opened.push(reader);
      while (levels.length <= meta.level) levels.push([]);
      levels[meta.level]!.push(reader);
    }
    sortLevels(levels);

    // Replay the logs that are not yet in segments.
    const recovery: EngineStats['recovery'] = { tornTails: [], staleLockPid: lock.recoveredFrom, replayedBatches: 0 };
    const logs = walFilesByDir
      .flatMap((files, i) => files.map((f) => ({ n: parseWalFileName(f), path: join(walDirs[i]!, f) })))
      .filter((l): l is { n: number; path: string } => l.n !== undefined && l.n >= manifest.logNumber)
      .sort((a, b) => a.n - b.n);
    const replay = new Memtable(0);
    let seq = manifest.lastSequence;
    for (const { path } of logs) {
      const contents = readWal(path);
      for (const rec of contents.records) {
        let batch;
        try {
          if (rec.type !== RecordType.Batch) throw new RangeError(`unknown record type ${rec.type}`);
          batch = decodeBatch(rec.payload);
        } catch (err) {
          throw new CorruptionError(`write-ahead log record is malformed: ${(err as Error).message}`, {
            path,
            offset: rec.offset,
          });
        }
        batch.entries.forEach((e, i) =>
          replay.insert(Buffer.from(e.key), batch.seq + i, e.value === null ? null : Buffer.from(e.value)),
        );
        seq = Math.max(seq, batch.seq + batch.entries.length - 1);
        recovery.replayedBatches++;
      }
      if (contents.torn) {
        truncateSync(path, contents.validLength);
        recovery.tornTails.push(contents.torn);
      }
    }
    let flushes = manifest.flushes;
    if (replay.entries > 0) {
      const id = nextFile++;
      // In-process: open is about to return anyway, and a short-lived process (the CLI) should not pay for
      // starting the flush thread only to write what it replayed.
      const reader = await flushMemtables(dir, config, [replay], id, cache, bloomStats, false);
      opened.push(reader);
      levels[0]!.unshift(reader);
      flushes++;
    }
    const walNumber = nextFile++;
    const version = new Version(levels);
    await writeManifest(
      dir,
      manifestOf(version, {
        nextFileNumber: nextFile,
        logNumber: walNumber,
        lastSequence: seq,
        flushes,
        compactions: manifest.compactions,
        walDir: recordedPath(dir, config.walDir),
      }),
    );

    // Nothing references these any more.
    const live = new Set(version.all().map((s) => s.id));
    for (const f of dirFiles) {
      const id = parseSegmentFileName(f);
      if ((id !== undefined && !live.has(id)) || /^\..*\.tmp$/.test(f)) removeQuietly(join(dir, f));
    }
    walFilesByDir.forEach((files, i) => {
      for (const f of files) {
        const n = parseWalFileName(f);
        if (n !== undefined && n < walNumber) removeQuietly(join(walDirs[i]!, f));
      }
    });
    const walCounters = { syncs: 0 };
    const wal = new WalWriter(
      join(config.walDir, walFileName(walNumber)),
      walNumber,
      walCounters,
      walPreallocation(config),
    );
    fsyncDirSync(config.walDir);
    const engine = new Engine(dir, config, lock, {
      mem: new Memtable(walNumber),
      wal,
      version,
      seq,
      nextFile,
      logNumber: walNumber,
      flushes,
      compactions: manifest.compactions,
      bloomStats,
      cache,
      recovery,
      walCounters,
    });
    engine.maybeCompact();
    return engine;
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
    return this.commit(encodeBatch(0, ops), sync);
  }

  private commit(batch: EncodedBatch, sync: boolean | undefined): Promise<void> {
    this.checkOpen();
    if (this.imms.length >= this.config.maxImmutableMemtables || this.stalled.length > 0) {
      // Back-pressure: writers wait while the flushes fall behind, as LevelDB stalls them, until the next
      // flushed group is installed (not until every frozen memtable is flushed). Waiting writers resume in
      // call order, and a writer arriving while others wait queues behind them, so the log keeps that order.
      this.scheduleFlush();
      return new Promise<void>((resolve) => this.stalled.push(resolve)).then(() => this.commit(batch, sync));
    }
    const { record, keyOffsets, keyLengths, valueOffsets, valueLengths } = batch;
    const seq = this.seq + 1;
    setBatchSequence(record, seq);
    const mustSync = sync ?? this.config.syncMode === 'always';
    const wal = this.wal;
    const end = wal.append(frameRecord(record, RecordType.Batch), mustSync);
    const n = keyOffsets.length;
    this.seq += n;
    const mem = this.mem;
    for (let i = 0; i < n; i++) {
      const voff = valueOffsets[i]!;
      mem.insertAt(record, keyOffsets[i]!, keyLengths[i]!, seq + i, voff < 0 ? null : record, voff, valueLengths[i]!);
    }
    if (mem.bytes >= this.config.memtableSize) this.rotate();
    if (mustSync) return wal.waitDurable(end);
    if (this.config.syncMode === 'batch') wal.syncInBackground();
    return RESOLVED;
  }

  private checkOpen(): void {
    if (this.closing !== null) throw new EngineClosedError(this.dir);
    if (this.backgroundError !== null) throw this.backgroundError;
  }

  /** Freezes the memtable and starts a new log for the next one. */
  private rotate(): void {
    const old = this.wal;
    const n = this.nextFile++;
    this.wal = new WalWriter(join(this.walDir, walFileName(n)), n, this.walCounters, walPreallocation(this.config));
    if (this.config.syncMode !== 'none') fsyncDirSync(this.walDir);
    this.imms.push(this.mem);
    this.mem = new Memtable(n);
    old.close(this.config.syncMode !== 'none').catch((err: unknown) => this.fail(err));
    this.scheduleFlush();
  }

  private fail(err: unknown): void {
    this.backgroundError ??= err;
  }

  // ---- flush and compaction -----------------------------------------------------------------------

  private scheduleFlush(): void {
    if (this.flushing !== null || this.imms.length === 0 || this.backgroundError !== null) return;
    this.flushing = (async () => {
      while (this.imms.length > 0) {
        // Every memtable frozen by now is flushed together, into one segment installed by one manifest edit:
        // when writes outrun flushes, the segment's and the manifest's syncs are shared instead of paid once
        // per memtable.
        const group = this.imms.slice();
        const reader = await flushMemtables(
          this.dir,
          this.config,
          group,
          this.nextFile++,
          this.cache,
          this.bloomStats,
          this.config.flushThread,
        );
        const nextLog = this.imms[group.length]?.walNumber ?? this.mem.walNumber;
        await this.logAndApply({ add: [{ level: 0, reader }], logNumber: nextLog, flushes: group.length });
        this.imms.splice(0, group.length);
        this.resumeStalled();
        // Off the event loop; close waits for them. A log left by a crash here is below logNumber: open deletes it.
        const unlinks = group.map((imm) => unlink(join(this.walDir, walFileName(imm.walNumber))).catch(() => {}));
        this.removals = Promise.all([this.removals, ...unlinks]).then(() => {});
      }
    })()
      .catch((err: unknown) => this.fail(err))
      .finally(() => {
        this.flushing = null;
        this.resumeStalled(); // after a failure too: they see it when they retry
        this.scheduleFlush();
        this.maybeCompact();
      });
  }

  private resumeStalled(): void {
    const waiting = this.stalled;
    this.stalled = [];
    for (const resume of waiting) resume();
  }

  private maybeCompact(): void {
    if (!this.config.autoCompact || this.compacting !== null || this.closing !== null || this.backgroundError !== null)
      return;
    const plan = pickCompaction(this.version, this.config, this.pointers);
    if (plan === null) return;
    this.compacting = this.runPlan(plan)
      .catch((err: unknown) => this.fail(err))
      .finally(() => {
        this.compacting = null;
        this.maybeCompact();
      });
  }

  private async runPlan(plan: CompactionPlan): Promise<void> {
    for (const s of plan.inputs) s.ref();
    try {
      if (isTrivialMove(plan, this.version, this.config)) {
        await this.logAndApply({ move: { level: plan.outputLevel, readers: plan.inputs }, compaction: true });
      } else {
        const job = compactionJob(plan, this.version, this.dir, this.config, (n) =>
          Array.from({ length: n }, () => this.nextFile++),
        );
        const outputs = await runCompaction(job, this.config.compactionThread);
        const readers = outputs.map((o) => SegmentReader.open(o.id, o.path, this.cache, this.bloomStats));
        await this.logAndApply({
          add: readers.map((reader) => ({ level: plan.outputLevel, reader })),
          remove: plan.inputs,
          compaction: true,
        });
      }
      if (!plan.full && plan.outputLevel >= 2) {
        const src = plan.inputs[0]!;
        this.pointers.set(plan.outputLevel - 1, src.maxKey);
      }
    } finally {
      for (const s of plan.inputs) s.unref();
    }
  }

  /**
   * Makes a change to the set of live segments durable (manifest rename), then visible. Edits are queued,
   * so two renames never race and each new manifest is computed from the one before.
   */
  private logAndApply(edit: ManifestEdit): Promise<void> {
    const run = async (): Promise<void> => {
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
          lastSequence: this.seq,
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
    };
    const p = this.manifestQueue.then(run);
    this.manifestQueue = p.catch(() => {});
    return p;
  }

  /** Writes the memtable to a segment now and waits until every frozen memtable is flushed. */
  async flush(): Promise<void> {
    this.checkOpen();
    if (this.mem.entries > 0) this.rotate();
    while (this.imms.length > 0) {
      if (this.backgroundError !== null) throw this.backgroundError;
      this.scheduleFlush();
      await this.flushing;
    }
    if (this.backgroundError !== null) throw this.backgroundError;
  }

  /** Flushes, then merges every segment into one sorted run, dropping all tombstones and old versions. */
  async compact(): Promise<void> {
    await this.flush();
    while (this.compacting !== null) await this.compacting;
    this.checkOpen();
    const plan = fullCompactionPlan(this.version);
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

  // ---- reads --------------------------------------------------------------------------------------

  get(key: Bytes): Promise<Buffer | undefined> {
    try {
      if (this.closing !== null) throw new EngineClosedError(this.dir);
      const k = asBuffer(key);
      let n = this.mem.get(k);
      for (let i = this.imms.length - 1; n === undefined && i >= 0; i--) n = this.imms[i]!.get(k);
      if (n !== undefined) {
        const v = n.value;
        return v === null ? RESOLVED_UNDEFINED : Promise.resolve(Buffer.from(v));
      }
      const v = this.version.get(k);
      return v === undefined || v === null ? RESOLVED_UNDEFINED : Promise.resolve(Buffer.from(v));
    } catch (err) {
      return Promise.reject(err);
    }
  }

  iterator(options: RangeOptions = {}): EngineIterator & { nextSync(): [Buffer, Buffer] | undefined } {
    if (this.closing !== null) throw new EngineClosedError(this.dir);
    const memtables = [this.mem, ...this.imms.slice().reverse()];
    return new SnapshotIterator(memtables, this.seq, this.version, options);
  }

  // ---- inspection ---------------------------------------------------------------------------------

  /**
   * Probes the live segments' bloom filters with `probes` random keys in all (split evenly, at least 100 per
   * segment), each inside its segment's key range and not held by it, counting them into stats().bloom: a
   * process that has made no lookups of its own (the CLI's `stats` and `viz`) can still report the measured
   * false-positive rate, at a cost that does not grow with the number of segments.
   */
  measureBloomFilters(probes = 20_000): void {
    const filtered = this.version.all().filter((s) => s.props.bloomBitsPerKey > 0);
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

  async stats(): Promise<EngineStats> {
    const segments: SegmentInfo[] = [];
    this.version.levels.forEach((run, level) => {
      for (const s of run) segments.push(segmentInfo(s, level));
    });
    let walBytes = this.wal.offset;
    for (const m of this.imms) walBytes += fileSize(join(this.walDir, walFileName(m.walNumber)));
    const plan = pickCompaction(this.version, this.config, this.pointers);
    const negatives = this.bloomStats.probes;
    return {
      dir: this.dir,
      memtable: { bytes: this.mem.bytes, entries: this.mem.entries, immutable: this.imms.length },
      wal: {
        bytes: walBytes,
        files: 1 + this.imms.length,
        syncMode: this.config.syncMode,
        syncs: this.walCounters.syncs,
      },
      segments,
      nextCompaction: plan === null ? [] : plan.inputs.map((s) => s.id),
      compactionPolicy: `leveled: level 0 → 1 at ${this.config.compactionThreshold} segments; level L ≥ 1 → L+1 above ${this.config.level1MaxBytes}·${this.config.levelSizeMultiplier}^(L−1) bytes; output segments of ${this.config.segmentSize} bytes`,
      bloom: {
        bitsPerKey: this.config.bloomBitsPerKey,
        theoreticalFpRate: theoreticalFpRate(this.config.bloomBitsPerKey),
        measuredFpRate: negatives > 0 ? this.bloomStats.falsePositives / negatives : null,
        probes: negatives,
        falsePositives: this.bloomStats.falsePositives,
      },
      totals: {
        liveSegments: segments.length,
        diskBytes: segments.reduce((a, s) => a + s.sizeBytes, 0) + walBytes + fileSize(join(this.dir, MANIFEST_FILE)),
        compactions: this.compactions,
        flushes: this.flushes,
      },
      recovery: this.recovery,
    };
  }

  /** Checks every checksum of the manifest, every live segment and every live log. */
  async verify(): Promise<VerifyReport> {
    this.wal.writePending();
    const problems: VerifyProblem[] = [];
    let filesChecked = 0;
    const manifestPath = join(this.dir, MANIFEST_FILE);
    filesChecked++;
    try {
      decodeManifest(manifestPath, readFileSync(manifestPath));
    } catch (err) {
      if (!(err instanceof CorruptionError)) throw err;
      problems.push({ file: manifestPath, offset: err.offset ?? 0, message: err.message });
    }
    const segs = this.version.all();
    for (const s of segs) s.ref();
    try {
      for (const s of segs) {
        filesChecked++;
        problems.push(...s.verify());
        await new Promise<void>((r) => setImmediate(r));
      }
    } finally {
      for (const s of segs) s.unref();
    }
    for (const n of [...this.imms.map((m) => m.walNumber), this.mem.walNumber]) {
      const path = join(this.walDir, walFileName(n));
      filesChecked++;
      try {
        const contents = readWal(path);
        if (contents.torn)
          problems.push({ file: path, offset: contents.torn.offset, message: `torn tail: ${contents.torn.reason}` });
      } catch (err) {
        if (isErrno(err, 'ENOENT')) continue;
        if (!(err instanceof CorruptionError)) throw err;
        problems.push({ file: path, offset: err.offset ?? 0, message: err.message });
      }
    }
    return { ok: problems.length === 0, filesChecked, problems };
  }

  /** Waits for the running flush and compaction, syncs the log, releases files and the lock. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      while (this.flushing !== null || this.compacting !== null) {
        await this.flushing;
        await this.compacting;
      }
      await this.manifestQueue;
      await this.removals;
      try {
        await this.wal.close(true);
      } finally {
        // Even when the last sync failed, the files and the lock are let go; the error still reaches the caller.
        for (const s of this.version.all()) s.unref();
        this.lock.release();
      }
    })();
    return this.closing;
  }
}

export function open(dir: string, config?: Partial<Config>): Promise<Engine> {
  return Engine.open(dir, config);
}

/** Writes the newest version of every key (tombstones included) of memtables, oldest first, to a new level-0 segment. */
async function flushMemtables(
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

/** Logs that will be synced get room for a memtable's worth of records up front (see wal-writer.ts). */
function walPreallocation(config: Config): number {
  return config.syncMode === 'none' ? 0 : Math.min(config.memtableSize + 64 * 1024, 16 * 1024 * 1024);
}

/** walDir as the manifest records it: relative when inside the database directory, so the two can move together. */
function recordedPath(dir: string, walDir: string): string {
  const rel = relative(dir, walDir);
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel)) ? rel : walDir;
}

function sortLevels(levels: SegmentReader[][]): void {
  levels[0]!.sort((a, b) => b.id - a.id);
  for (let l = 1; l < levels.length; l++) levels[l]!.sort((a, b) => compareKeys(a.minKey, b.minKey));
}

function manifestOf(version: Version, fields: Omit<ManifestData, 'formatVersion' | 'segments'>): ManifestData {
  const segments: SegmentMeta[] = [];
  version.levels.forEach((run, level) => {
    for (const s of run) {
      segments.push({
        id: s.id,
        level,
        sizeBytes: s.sizeBytes,
        entries: s.props.entries,
        tombstones: s.props.tombstones,
        minKey: s.props.minKey,
        maxKey: s.props.maxKey,
        createdAt: s.props.createdAt,
        bloomBitsPerKey: s.props.bloomBitsPerKey,
        bloomHashes: s.props.bloomHashes,
      });
    }
  });
  return { formatVersion: 1, ...fields, segments };
}

function propsFromMeta(meta: SegmentMeta): SegmentProperties {
  return {
    entries: meta.entries,
    tombstones: meta.tombstones,
    minKey: meta.minKey,
    maxKey: meta.maxKey,
    createdAt: meta.createdAt,
    bloomBitsPerKey: meta.bloomBitsPerKey,
    bloomHashes: meta.bloomHashes,
  };
}

export function segmentInfo(s: SegmentReader, level: number): SegmentInfo {
  return {
    id: s.id,
    file: s.path,
    level,
    minKey: s.minKey,
    maxKey: s.maxKey,
    sizeBytes: s.sizeBytes,
    entries: s.props.entries,
    tombstones: s.props.tombstones,
    bloomBitsPerKey: s.props.bloomBitsPerKey,
    bloomHashes: s.props.bloomHashes,
    createdAt: s.props.createdAt,
  };
}

function fileSize(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
}

function removeQuietly(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    /* already gone */
  }
}
