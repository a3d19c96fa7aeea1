/**
 * Group commit: operations submitted while a commit is in flight (or in the same tick) wait in a queue and
 * are committed together, so N concurrent callers share one lock acquisition, one append and one fsync.
 * `commit` runs each operation's `apply` in order and must settle every one of them.
 */
export interface PendingOp<C, T = unknown> {
  apply: (context: C) => T;
  resolve: (value: T) => void;
  reject: (err: unknown) => void;
}

export class GroupCommit<C> {
  private queue: PendingOp<C>[] = [];
  private running = false;

  constructor(
    private readonly commit: (batch: PendingOp<C>[]) => Promise<void>,
    /** Runs when the queue has drained (the store lets go of its lock there). */
    private readonly onIdle: () => Promise<void> = async () => undefined,
  ) {}

  submit<T>(apply: (context: C) => T): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ apply, resolve, reject } as PendingOp<C>);
      if (!this.running) {
        this.running = true;
        // Let every caller of this tick join the first group.
        setImmediate(() => void this.drain());
      }
    });
  }

  /** Resolves once every queued operation has settled. */
  async idle(): Promise<void> {
    while (this.running || this.queue.length > 0) await new Promise((r) => setImmediate(r));
  }

  private async drain(): Promise<void> {
    try {
      while (this.queue.length > 0) {
        const batch = this.queue;
        this.queue = [];
        try {
          await this.commit(batch);
        } catch (err) {
          for (const op of batch) op.reject(err);
        }
        // Callers woken by this group queue their next operation in microtasks; yield once so they join.
        await new Promise((r) => setImmediate(r));
      }
      await this.onIdle().catch(() => undefined);
    } finally {
      this.running = false;
    }
    // Something queued while onIdle ran: start again.
    if (this.queue.length > 0 && !this.running) {
      this.running = true;
      setImmediate(() => void this.drain());
    }
  }
}
