import { type FSWatcher, watch } from 'node:fs';

interface Watch {
  watcher: FSWatcher | null;
  users: number;
  waiters: Set<() => void>;
}

/**
 * One fs.watch per partition directory for the whole server, however many connections follow the partition, so
 * a thousand subscribers cost one inotify watch, not a thousand. Appends by other processes (`esc produce`, a
 * second server) arrive through the watcher; appends made here are announced directly (`notifyTopic`), which
 * is sooner. A waiter is called once per change and must be idempotent: it is a "look again", not a delivery.
 */
export class PartitionWatches {
  private readonly watches = new Map<string, Map<number, Watch>>();

  /** Starts (or shares) the watch; call before the first read, so a change between read and wait is seen. */
  acquire(topic: string, partition: number, dir: string): void {
    let byPartition = this.watches.get(topic);
    if (byPartition === undefined) this.watches.set(topic, (byPartition = new Map()));
    let w = byPartition.get(partition);
    if (w === undefined) {
      const created: Watch = { watcher: null, users: 0, waiters: new Set() };
      const wake = () => this.wake(created);
      try {
        created.watcher = watch(dir, { persistent: false }, wake);
        created.watcher.on('error', wake);
      } catch {
        // The directory went away (topic deleted): readers find out on their next poll.
      }
      byPartition.set(partition, (w = created));
    }
    w.users++;
  }

  release(topic: string, partition: number, waiter: () => void): void {
    const byPartition = this.watches.get(topic);
    const w = byPartition?.get(partition);
    if (w === undefined) return;
    w.waiters.delete(waiter);
    if (--w.users > 0) return;
    w.watcher?.close();
    byPartition!.delete(partition);
    if (byPartition!.size === 0) this.watches.delete(topic);
  }

  /** Calls `waiter` once at the partition's next change. */
  wait(topic: string, partition: number, waiter: () => void): void {
    this.watches.get(topic)?.get(partition)?.waiters.add(waiter);
  }

  /** Someone here follows the topic (a subscriber holds a watch of one of its partitions). */
  follows(topic: string): boolean {
    return this.watches.has(topic);
  }

  /** Records were appended to the topic by this process. */
  notifyTopic(topic: string): void {
    const byPartition = this.watches.get(topic);
    if (byPartition !== undefined) for (const w of byPartition.values()) this.wake(w);
  }

  closeAll(): void {
    for (const byPartition of this.watches.values()) for (const w of byPartition.values()) w.watcher?.close();
    this.watches.clear();
  }

  private wake(w: Watch): void {
    if (w.waiters.size === 0) return;
    const waiters = [...w.waiters];
    w.waiters.clear();
    for (const fn of waiters) fn();
  }
}
