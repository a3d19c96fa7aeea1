import type { AppendRecord, PartitionLog } from './partition-log.js';
import type { ReleaseLock } from './topic-lock.js';

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

  private async drain(): Promise<void> {
    let release: ReleaseLock | null = null;
    try {
      while (this.queue.length > 0) {
        const group = this.queue;
        this.queue = [];
        let positions: RecordPosition[][];
        let durable: Promise<void> | null = null;
        try {
          release ??= await this.hooks.lock();
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
          if (release !== null) await release().catch(() => undefined);
          release = null;
          continue;
        }
        // Yield once so callers of this tick join the next group before the lock is let go.
        await new Promise((r) => setImmediate(r));
        if (this.queue.length === 0 && release !== null) {
          await release().catch(() => undefined);
          release = null;
        }
        try {
          if (durable !== null) await durable;
          for (const [i, op] of group.entries()) op.resolve(positions[i]!);
        } catch (err) {
          for (const op of group) op.reject(err);
        }
      }
    } finally {
      if (release !== null) await release().catch(() => undefined);
      this.running = false;
      for (const f of this.idleWaiters.splice(0)) f();
    }
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
