import type { EncodedBatch } from './batch-builder.js';
import type { PartitionLog } from './partition-log.js';
import type { ReleaseLock } from './topic-lock.js';

/** Default longest time a process keeps the topic's lock across back-to-back groups before letting others in. */
export const DEFAULT_LEASE_MS = 20;
/** How long an idle process keeps the lock for an append that may follow at once (at least). */
const LEASE_IDLE_MS = 2;
/**
 * After a lease longer than the default ran out under load, the lock stays free this long before this process
 * takes it again: a waiting process retries every 20 ms at most (core's file-lock.ts), so it gets its turn.
 */
const HANDOVER_MS = 25;
/** Added to a lease's age when asking whether someone waited during it: file times are coarse (a jiffy). */
const WAITER_SLACK_MS = 20;

/** The engine's durability modes: none (the OS has it), batch (plus a background sync), always (synced). */
export type SyncMode = 'none' | 'batch' | 'always';

/** Where an appended record went. */
export interface RecordPosition {
  partition: number;
  offset: number;
}

/**
 * Where the records of one append went, without an object per record: record i went to `partitions[i]` (or
 * all to `partitions`), and each partition's records got dense offsets from `firstOffsets.get(partition)` on,
 * in the caller's order.
 */
export interface AppendAck {
  count: number;
  partitions: number[] | number;
  firstOffsets: ReadonlyMap<number, number>;
}

/** The ack as one position per record. */
export function positionsOf(ack: AppendAck): RecordPosition[] {
  if (typeof ack.partitions === 'number') {
    const partition = ack.partitions;
    const base = ack.firstOffsets.get(partition)!;
    // A plain loop: Array.from with a callback per element was a tenth of a record-objects producer's CPU.
    const out = new Array<RecordPosition>(ack.count);
    for (let k = 0; k < ack.count; k++) out[k] = { partition, offset: base + k };
    return out;
  }
  const next = new Map(ack.firstOffsets);
  return ack.partitions.map((partition) => {
    const offset = next.get(partition)!;
    next.set(partition, offset + 1);
    return { partition, offset };
  });
}

interface Lease {
  release: ReleaseLock;
  since: number;
  /** The idle timer (see keepLeaseBriefly), while armed. */
  timer: NodeJS.Timeout | null;
  /** performance.now() when the last group left the queue empty; -1 while a group uses the lock. */
  idleSince: number;
}

interface PendingAppend {
  /** The partition of each record, in the caller's order, or the one partition of all of them. */
  partitions: number[] | number;
  /** The records encoded, each partition's in the caller's order (a partition's batches are consecutive). */
  batches: EncodedBatch[];
  count: number;
  sync: SyncMode;
  resolve: (ack: AppendAck) => void;
  reject: (err: unknown) => void;
}

export interface TopicWriterHooks {
  /** The partition logs, read again under the lock (the partition count may have grown). */
  logs(): PartitionLog[];
  lock(): Promise<ReleaseLock>;
  clock(): number;
  /** Runs under a freshly taken lock before a group (the topic re-reads its config there). */
  beforeGroup(): void;
  /** How long the lock is kept across back-to-back groups (StreamsOptions.lockLeaseMs). */
  leaseMs: number;
  /** Whether another writer (another process, or retention and the cleaner in this one) waited for the lock lately. */
  othersWaiting(withinMs: number): boolean;
}

/**
 * Group commit for one topic in one process: appends submitted while a group is being written wait in a queue
 * and go together, as one lock acquisition, one batch per partition and, for `always`, one fdatasync per file
 * (the approach of @esc/kv's GroupCommit and the engine's WalWriter). The lock is held while the queue has
 * work and let go when it drains, before the sync, so other processes write while this one waits for the disk.
 * A lone synced append (nothing else queued) is synced at once, on this thread, with the lock still held: it
 * then costs one write and one fdatasync, as a bare loop of them does.
 */
export class TopicWriter {
  private queue: PendingAppend[] = [];
  private running = false;
  private idleWaiters: (() => void)[] = [];
  private lease: Lease | null = null;
  /**
   * Counts lock acquisitions: while one lease lasts no other writer (another process, or retention and the
   * cleaner's install in this one) can have touched the topic, so config and segment tails need no re-reading.
   */
  private epoch = 0;
  /** The release of the last lease, awaited before the next acquisition (in this process it would only collide). */
  private releasing: Promise<void> = Promise.resolve();
  private readonly leaseIdleMs: number;
  private readonly handoverMs: number;
  /** performance.now() before which the lock is left to other processes (see HANDOVER_MS). */
  private handoverUntil = 0;

  constructor(private readonly hooks: TopicWriterHooks) {
    // A long lease (a server that is the topic's only writer) is kept through short pauses between requests too.
    this.leaseIdleMs = Math.max(LEASE_IDLE_MS, hooks.leaseMs / 20);
    this.handoverMs = hooks.leaseMs > DEFAULT_LEASE_MS ? HANDOVER_MS : 0;
  }

  /**
   * Queues an append for the next group. `grouped`: the caller gathered its records already (a server's turn
   * of requests), so the group starts on a microtask instead of after the event loop's turn.
   */
  submit(
    partitions: number[] | number,
    batches: EncodedBatch[],
    count: number,
    sync: SyncMode,
    grouped = false,
  ): Promise<AppendAck> {
    return new Promise((resolve, reject) => {
      this.queue.push({ partitions, batches, count, sync, resolve, reject });
      if (!this.running) {
        this.running = true;
        // Let every caller of this tick join the first group. An append that needs no sync waits for no turn of
        // the event loop: callers in this turn's microtasks (Promise.all of many) still join, and a producer that
        // awaits each append pays no poll of the event loop per append (under load, a fifth of its time); the
        // lease's end still turns the loop (takeLock). A sync is worth gathering a whole turn's callers for.
        if (grouped || sync === 'none') queueMicrotask(() => void this.drain());
        else setImmediate(() => void this.drain());
      }
    });
  }

  /** Resolves once every submitted append has settled. */
  idle(): Promise<void> {
    if (!this.running) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Waits for the queue, then lets go of the lock if this process still holds it. */
  async close(): Promise<void> {
    await this.idle();
    await this.dropLease();
  }

  private async drain(): Promise<void> {
    try {
      while (this.queue.length > 0) {
        const group = this.queue;
        this.queue = [];
        let acks: AppendAck[];
        let durable: Promise<void> | null = null;
        let alone = false;
        try {
          // A lease still running (the common case of back-to-back groups) is kept with no await: a promise and
          // a microtask per group fewer.
          const lease = this.lease;
          if (lease !== null && !this.leaseExpired()) lease.idleSince = -1;
          else if (await this.takeLock()) this.hooks.beforeGroup();
          const mode = strongest(group);
          acks = this.writeGroup(group, mode === 'none');
          for (const l of this.hooks.logs())
            if (l.rolledUnsynced) {
              // A segment closed in 'none' mode: its fdatasync runs in the background (see PartitionLog.roll).
              l.rolledUnsynced = false;
              if (mode === 'none') l.sync().catch(() => undefined);
            }
          const logs = this.hooks.logs().filter((l) => l.needsSync);
          // LevelDB's group commit leader: with no other append waiting, the fdatasync is issued at once.
          alone = mode === 'always' && group.length === 1 && this.queue.length === 0;
          const later = alone ? logs.filter((l) => !l.trySyncNow()) : logs;
          if (mode !== 'none' && later.length > 0) {
            const synced = Promise.all(later.map((l) => l.sync())).then(() => undefined);
            if (mode === 'always') durable = synced;
            else synced.catch(() => undefined);
          }
        } catch (err) {
          for (const op of group) op.reject(err);
          await this.dropLease();
          continue;
        } finally {
          // Written (or failed): the encoders' memory can be reused.
          for (const op of group) for (const b of op.batches) b.owner?.release(b);
        }
        // A lease past its length is let go now, so other processes write while this one waits for the disk.
        if (this.leaseExpired() && this.othersWaiting()) {
          this.handoverUntil = performance.now() + this.handoverMs;
          void this.dropLease();
        }
        // Nothing to wait for: answered at once, in this turn of the event loop.
        if (durable === null) for (const [i, op] of group.entries()) op.resolve(acks[i]!);
        // Yield once so callers of this tick join the next group (the sync is already under way); with nothing
        // queued, the lock is kept a moment for the next append of a caller that awaits each one (a lock round
        // trip costs more than an fdatasync), and let go after the idle time, while this process waits for the disk.
        if (durable !== null) await new Promise((r) => setImmediate(r));
        if (this.queue.length === 0) this.keepLeaseBriefly();
        if (durable === null) continue;
        try {
          await durable;
          for (const [i, op] of group.entries()) op.resolve(acks[i]!);
        } catch (err) {
          for (const op of group) op.reject(err);
        }
      }
    } finally {
      this.running = false;
      for (const f of this.idleWaiters.splice(0)) f();
    }
  }

  /**
   * The topic's lock for the next group: the one still held from the last group if it was taken less than
   * the lease's length ago (a lock round trip costs ~2 ms, more than writing 1,000 records), else a fresh one,
   * so a busy process lets other processes in between its groups. True when the lock was taken afresh.
   */
  private async takeLock(): Promise<boolean> {
    const lease = this.lease;
    if (lease !== null) {
      lease.idleSince = -1;
      if (!this.leaseExpired()) return false;
      // One turn of the event loop, so that a caller appending without pause (grouped) starves no timer or I/O
      // of this process, a waiter's included; then, with nobody waiting, the lease starts again.
      await new Promise((r) => setImmediate(r));
      if (!this.othersWaiting()) {
        lease.since = performance.now();
        return false;
      }
      this.handoverUntil = performance.now() + this.handoverMs;
      await this.dropLease();
    }
    await this.releasing;
    const wait = this.handoverUntil - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    const release = await this.hooks.lock();
    this.lease = { release, since: performance.now(), timer: null, idleSince: -1 };
    this.epoch++;
    return true;
  }

  private leaseExpired(): boolean {
    return this.lease !== null && performance.now() - this.lease.since >= this.hooks.leaseMs;
  }

  /**
   * Whether another writer waits for the lock (TopicLock's wanted file). A lease that ran out with nobody
   * waiting starts again: the lock was never let go, so nothing needs re-reading, and a producer that is the
   * topic's only writer pays no round trip (mkdir, stat, rmdir: each a hop to the thread pool, which under load
   * waits for a core).
   */
  private othersWaiting(): boolean {
    const lease = this.lease;
    if (lease === null) return false;
    // A waiter touches its file every few ms: one that waited during this lease touched it at most that long ago.
    return this.hooks.othersWaiting(performance.now() - lease.since + WAITER_SLACK_MS);
  }

  private keepLeaseBriefly(): void {
    const lease = this.lease;
    if (lease === null) return;
    // A timestamp per group, not a timer set and cleared per group (a server's group is one event-loop turn):
    // the timer, armed once, looks again when it fires.
    lease.idleSince = performance.now();
    if (lease.timer === null) lease.timer = setTimeout(() => this.idleCheck(lease), this.leaseIdleMs);
  }

  /** The idle timer of `lease` fired: let go of the lock if it has been idle for leaseIdleMs, else look again then. */
  private idleCheck(lease: Lease): void {
    lease.timer = null;
    if (this.lease !== lease || lease.idleSince < 0) return; // gone, or in use: its next idle time arms again
    const left = lease.idleSince + this.leaseIdleMs - performance.now();
    if (left > 0) lease.timer = setTimeout(() => this.idleCheck(lease), left);
    else void this.dropLease();
  }

  private async dropLease(): Promise<void> {
    const lease = this.lease;
    this.lease = null;
    if (lease === null) return;
    if (lease.timer !== null) clearTimeout(lease.timer);
    // Index entries this process still holds go out with the lock (the next writer would recover them anyway).
    try {
      for (const l of this.hooks.logs()) l.writeIndexes();
    } catch {
      // A failing disk fails the next append; the entries are rebuilt from the log by whoever writes next.
    }
    this.releasing = lease.release().catch(() => undefined);
    await this.releasing;
  }

  /**
   * Writes every append of the group: each one's batches in order (a partition's batches of one append are
   * consecutive, so its records get dense offsets), one writev per partition.
   */
  private writeGroup(group: PendingAppend[], syncRollLater: boolean): AppendAck[] {
    const logs = this.hooks.logs();
    const now = this.hooks.clock();
    const touched = new Set<PartitionLog>();
    const firsts: Map<number, number>[] = [];
    for (const op of group) {
      const first = new Map<number, number>();
      for (const b of op.batches) {
        const log = logs[b.partition]!;
        if (!touched.has(log)) {
          log.prepare(this.epoch);
          touched.add(log);
        }
        const base = log.appendBatch(b, now, syncRollLater);
        if (!first.has(b.partition)) first.set(b.partition, base);
      }
      firsts.push(first);
    }
    for (const log of touched) log.flush();
    return group.map((op, i) => ({ count: op.count, partitions: op.partitions, firstOffsets: firsts[i]! }));
  }
}

function strongest(group: PendingAppend[]): SyncMode {
  let mode: SyncMode = 'none';
  for (const op of group) {
    if (op.sync === 'always') return 'always';
    if (op.sync === 'batch') mode = 'batch';
  }
  return mode;
}
