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
  /** Runs under the lock before each group (the topic re-reads its config there). */
  beforeGroup(): void;
}

/**
 * Group commit for one topic in one process: appends submitted while a group is being written wait in a queue
 * and go together, as one lock acquisition, one batch per partition and, for `always`, one fdatasync per file
 * (the approach of @esc/kv's GroupCommit and the engine's WalWriter). The lock is held while the queue has
 * work and let go when it drains, before the sync, so other processes write while this one waits for the disk.
 */
export class TopicWriter {
  private queue: PendingAppend[] = [];
  private running = false;
  private idleWaiters: (() => void)[] = [];
  private lease: { release: ReleaseLock; since: number; timer: NodeJS.Timeout | null } | null = null;

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
        try {
          await this.takeLock();
          this.hooks.beforeGroup();
          positions = this.writeGroup(group);
          const logs = this.hooks.logs().filter((l) => l.needsSync);
          const mode = strongest(group);
          if (mode !== 'none') {
            const synced = Promise.all(logs.map((l) => l.sync())).then(() => undefined);
            if (mode === 'always') durable = synced;
            else synced.catch(() => undefined);
          }
        } catch (err) {
          for (const op of group) op.reject(err);
          await this.dropLease();
          continue;
        }
        // Yield once so callers of this tick join the next group; with nothing queued, the lock is kept a
        // moment for the next append of a caller that awaits each one (it is let go after LEASE_IDLE_MS).
        await new Promise((r) => setImmediate(r));
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
   * a busy process lets other processes in between its groups.
   */
  private async takeLock(): Promise<void> {
    const lease = this.lease;
    if (lease !== null) {
      if (lease.timer !== null) clearTimeout(lease.timer);
      lease.timer = null;
      if (performance.now() - lease.since < LEASE_MAX_MS) return;
      await this.dropLease();
    }
    const release = await this.hooks.lock();
    this.lease = { release, since: performance.now(), timer: null };
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
    await lease.release().catch(() => undefined);
  }

  /** Writes every append of the group: the records of each partition, in submission order, as batches. */
  private writeGroup(group: PendingAppend[]): RecordPosition[][] {
    const logs = this.hooks.logs();
    const perPartition = new Map<number, AppendRecord[]>();
    for (const op of group)
      op.partitions.forEach((p, i) => {
        const list = perPartition.get(p);
        if (list === undefined) perPartition.set(p, [op.records[i]!]);
        else list.push(op.records[i]!);
      });
    const now = this.hooks.clock();
    const nextOffset = new Map<number, number>();
    for (const [p, records] of perPartition) {
      const log = logs[p]!;
      log.prepare();
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

function strongest(group: PendingAppend[]): SyncMode {
  let mode: SyncMode = 'none';
  for (const op of group) {
    if (op.sync === 'always') return 'always';
    if (op.sync === 'batch') mode = 'batch';
  }
  return mode;
}
