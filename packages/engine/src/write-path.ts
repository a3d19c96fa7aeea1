import { join } from 'node:path';
import { fsyncDirSync } from '@esc/core';
import type { Config } from './config.js';
import { Memtable } from './memtable.js';
import type { VersionSet } from './version-set.js';
import { RecordType, frameRecord, walFileName } from './wal-format.js';
import { WalWriter } from './wal-writer.js';
import { setBatchSequence, type EncodedBatch } from './write-batch.js';

const RESOLVED: Promise<void> = Promise.resolve();

/** What the write path asks of the engine around it. */
export interface WritePathHost {
  /** Throws when the engine is closing or a background job has failed. */
  checkOpen(): void;
  /** A memtable was frozen (or writers are waiting): flush. */
  scheduleFlush(): void;
  /** A background step of the write path failed (closing a full log). */
  fail(err: unknown): void;
}

/**
 * The write path (LevelDB's DBImpl::Write): a batch gets its sequence numbers, goes to the write-ahead log,
 * then into the memtable; a full memtable is frozen behind a fresh log, and writers wait while too many
 * frozen ones are waiting for their flush.
 */
export class WritePath {
  /** Frozen memtables waiting for their flush, oldest first. */
  imms: Memtable[] = [];
  /** Writers waiting for a flush to make room, in arrival order. */
  private stalled: (() => void)[] = [];

  constructor(
    private readonly config: Config,
    private readonly versions: VersionSet,
    private readonly host: WritePathHost,
    public mem: Memtable,
    public wal: WalWriter,
    /** The newest sequence number handed out. */
    public seq: number,
    /** fdatasync calls on logs since open, shared by every log this engine writes. */
    readonly walCounters: { syncs: number },
  ) {}

  commit(batch: EncodedBatch, sync: boolean | undefined): Promise<void> {
    this.host.checkOpen();
    if (this.imms.length >= this.config.maxImmutableMemtables || this.stalled.length > 0) {
      // Back-pressure: writers wait while the flushes fall behind, as LevelDB stalls them, until the next
      // flushed group is installed (not until every frozen memtable is flushed). Waiting writers resume in
      // call order, and a writer arriving while others wait queues behind them, so the log keeps that order.
      this.host.scheduleFlush();
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

  /** Freezes the memtable and starts a new log for the next one. */
  rotate(): void {
    const old = this.wal;
    const n = this.versions.newFileNumber();
    const walDir = this.config.walDir;
    this.wal = new WalWriter(join(walDir, walFileName(n)), n, this.walCounters, walPreallocation(this.config));
    if (this.config.syncMode !== 'none') fsyncDirSync(walDir);
    this.imms.push(this.mem);
    this.mem = new Memtable(n);
    old.close(this.config.syncMode !== 'none').catch((err: unknown) => this.host.fail(err));
    this.host.scheduleFlush();
  }

  /** The oldest `count` frozen memtables are in a segment now: drop them and let waiting writers go on. */
  flushed(count: number): void {
    this.imms.splice(0, count);
    this.resumeStalled();
  }

  resumeStalled(): void {
    const waiting = this.stalled;
    this.stalled = [];
    for (const resume of waiting) resume();
  }

  /** The log that holds the oldest write not yet in a segment, once the first `flushedCount` frozen memtables are. */
  oldestLogAfter(flushedCount: number): number {
    return this.imms[flushedCount]?.walNumber ?? this.mem.walNumber;
  }

  /** Numbers of the live logs: the frozen memtables', oldest first, then the current one. */
  liveLogs(): number[] {
    return [...this.imms.map((m) => m.walNumber), this.mem.walNumber];
  }
}

/** Logs that will be synced get room for a memtable's worth of records up front (see wal-writer.ts). */
export function walPreallocation(config: Config): number {
  return config.syncMode === 'none' ? 0 : Math.min(config.memtableSize + 64 * 1024, 16 * 1024 * 1024);
}
