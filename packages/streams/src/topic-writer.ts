import type { AppendRecord, PartitionLog } from './partition-log.js';
import type { ReleaseLock } from './topic-lock.js';

/** Longest time a process keeps the topic's lock across back-to-back groups before letting others in. */
const LEASE_MAX_MS = 20;
/** How long an idle process keeps the lock for an append that may follow at once. */
const LEASE_IDLE_MS = 2;

/** The engine's durability modes: none (the OS has it), batch (plus a background sync), always (synced). */
export type SyncMode = 'none' | 'batch' | 'always';

/** Where an appended record went. */
export interface RecordPosition {
  partition: number;
  offset: number;
}

interface PendingAppend {
  /** The partition of each record, in the caller's order. */
  partitions: number[];
  records: AppendRecord[];
  sync: SyncMode;
  resolve: (positions: RecordPosition[]) => void;
  reject: (err: unknown) => void;
}

export interface TopicWriterHooks {
  /** The partition logs, read again under the lock (the partition count may have grown). */
  logs(): PartitionLog[];
  lock(): Promise<ReleaseLock>;
  clock(): number;
  /** Runs under a freshly taken lock before a group (the topic re-reads its config there). */
  beforeGroup(): void;
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
  private lease: { release: ReleaseLock; since: number; timer: NodeJS.Timeout | null } | null = null;
  /**
   * Counts lock acquisitions: while one lease lasts no other writer (another process, or retention and the
   * cleaner's install in this one) can have touched the topic, so config and segment tails need no re-reading.
   */
  private epoch = 0;
  /** The release of the last lease, awaited before the next acquisition (in this process it would only collide). */
  private releasing: Promise<void> = Promise.resolve();

  constructor(private readonly hooks: TopicWriterHooks) {}

  submit(partitions: number[], records: AppendRecord[], sync: SyncMode): Promise<RecordPosition[]> {
    return new Promise((resolve, reject) => {
      this.queue.push({ partitions, records, sync, resolve, reject });
      if (!this.running) {
        this.running = true;
        // Let every caller of this tick join the first group.
        setImmediate(() => void this.drain());
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
        let positions: RecordPosition[][];
        let durable: Promise<void> | null = null;
        let alone = false;
        try {
          if (await this.takeLock()) this.hooks.beforeGroup();
          positions = this.writeGroup(group);
          const logs = this.hooks.logs().filter((l) => l.needsSync);
          const mode = strongest(group);
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
        }
        // A lease past LEASE_MAX_MS is let go now, so other processes write while this one waits for the disk.
        if (this.lease !== null && performance.now() - this.lease.since >= LEASE_MAX_MS) void this.dropLease();
        // Yield once so callers of this tick join the next group (the sync is already under way); with nothing
        // queued, the lock is kept a moment for the next append of a caller that awaits each one (a lock round
        // trip costs more than an fdatasync), and let go after LEASE_IDLE_MS, while this process waits for the disk.
        if (!(alone && durable === null)) await new Promise((r) => setImmediate(r));
        if (this.queue.length === 0) this.keepLeaseBriefly();
        try {
          if (durable !== null) await durable;
          for (const [i, op] of group.entries()) op.resolve(positions[i]!);
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
   * LEASE_MAX_MS ago (a lock round trip costs ~2 ms, more than writing 1,000 records), else a fresh one, so
   * a busy process lets other processes in between its groups. True when the lock was taken afresh.
   */
  private async takeLock(): Promise<boolean> {
    const lease = this.lease;
    if (lease !== null) {
      if (lease.timer !== null) clearTimeout(lease.timer);
      lease.timer = null;
      if (performance.now() - lease.since < LEASE_MAX_MS) return false;
      await this.dropLease();
    }
    await this.releasing;
    const release = await this.hooks.lock();
    this.lease = { release, since: performance.now(), timer: null };
    this.epoch++;
    return true;
  }

  private keepLeaseBriefly(): void {
    const lease = this.lease;
    if (lease === null || lease.timer !== null) return;
    lease.timer = setTimeout(() => void this.dropLease(), LEASE_IDLE_MS);
  }

  private async dropLease(): Promise<void> {
    const lease = this.lease;
    this.lease = null;
    if (lease === null) return;
    if (lease.timer !== null) clearTimeout(lease.timer);
    this.releasing = lease.release().catch(() => undefined);
    await this.releasing;
  }

  /** Writes every append of the group: the records of each partition, in submission order, as batches. */
  private writeGroup(group: PendingAppend[]): RecordPosition[][] {
    const logs = this.hooks.logs();
    const now = this.hooks.clock();
    const only = group.length === 1 ? onePartition(group[0]!.partitions) : -1;
    if (only >= 0) {
      // The common case (one append, one partition): its records go as they are, without regrouping.
      const log = logs[only]!;
      log.prepare(this.epoch);
      const first = log.append(group[0]!.records, now);
      return [group[0]!.partitions.map((partition, i) => ({ partition, offset: first + i }))];
    }
    const perPartition = new Map<number, AppendRecord[]>();
    for (const op of group)
      op.partitions.forEach((p, i) => {
        const list = perPartition.get(p);
        if (list === undefined) perPartition.set(p, [op.records[i]!]);
        else list.push(op.records[i]!);
      });
    const nextOffset = new Map<number, number>();
    for (const [p, records] of perPartition) {
      const log = logs[p]!;
      log.prepare(this.epoch);
      nextOffset.set(p, log.append(records, now));
    }
    return group.map((op) =>
      op.partitions.map((partition) => {
        const offset = nextOffset.get(partition)!;
        nextOffset.set(partition, offset + 1);
        return { partition, offset };
      }),
    );
  }
}

/** The partition every record goes to, or -1 when they go to more than one. */
function onePartition(partitions: number[]): number {
  const p = partitions[0]!;
  for (let i = 1; i < partitions.length; i++) if (partitions[i] !== p) return -1;
  return p;
}

function strongest(group: PendingAppend[]): SyncMode {
  let mode: SyncMode = 'none';
  for (const op of group) {
    if (op.sync === 'always') return 'always';
    if (op.sync === 'batch') mode = 'batch';
  }
  return mode;
}
