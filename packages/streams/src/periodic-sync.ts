import { join } from 'node:path';
import { syncPartition } from './partition-sync.js';

/**
 * Syncs the partitions written since its last run, once per interval: Redis's `appendfsync everysec` for an
 * owner that appends with sync 'none' (the server's `--sync batch`). The store's own 'batch' starts an
 * fdatasync per group commit, thousands a second under many clients, which halved the rate of a busy server.
 * A failing sync (a topic deleted meanwhile, a failing disk) is left to the next run.
 */
export class PeriodicSync {
  /** Topic -> its partitions written since the last run (no path made per append: joined at the run). */
  private readonly unsynced = new Map<string, Set<number>>();
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly dir: string,
    private readonly intervalMs = 1000,
  ) {}

  /** A partition of `topic` was appended to. */
  written(topic: string, partition = 0): void {
    const partitions = this.unsynced.get(topic);
    if (partitions === undefined) this.unsynced.set(topic, new Set([partition]));
    else partitions.add(partition);
    this.timer ??= setTimeout(() => void this.syncNow(), this.intervalMs).unref();
  }

  /** Syncs what was written so far (also at close). */
  async syncNow(): Promise<void> {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    const dirs: string[] = [];
    for (const [topic, partitions] of this.unsynced)
      for (const p of partitions) dirs.push(join(this.dir, topic, String(p)));
    this.unsynced.clear();
    await Promise.all(dirs.map((d) => syncPartition(d).catch(() => undefined)));
  }
}
