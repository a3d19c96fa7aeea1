import { closeSync, fdatasync, openSync, writeSync, writevSync } from 'node:fs';

interface Waiter {
  offset: number;
  resolve: () => void;
  reject: (err: unknown) => void;
}

/**
 * Appends framed records to one log file at explicit positions, so a killed process leaves at most one torn
 * record at the end. Durability is separate: waitDurable(offset) resolves once an fdatasync that started
 * after `offset` was written has finished. Only one fdatasync runs at a time; writers that arrive while it
 * runs are covered together by the next one (group commit).
 *
 * A log that will be synced is preallocated with zeros (`preallocate` bytes): an fdatasync that does not
 * change the file's size or extents skips the filesystem's metadata journal commit, which halves its cost
 * on ext4. The reader treats an all-zero rest of the file as free space, not damage.
 */
export class WalWriter {
  private readonly fd: number;
  /** Bytes appended so far: the log's logical end. */
  offset = 0;
  /** Bytes handed to the OS; offset minus the pending records. */
  private written = 0;
  private synced = 0;
  private syncing = false;
  private scheduled = false;
  private waiters: Waiter[] = [];
  private failed: unknown = null;
  private closed = false;
  private idle: (() => void)[] = [];
  /** Records of synced writes not yet handed to the OS: written together by one writev before the sync. */
  private pending: Buffer[] = [];

  constructor(
    readonly path: string,
    readonly number: number,
    /** Shared across an engine's successive logs, for stats. */
    private readonly counters: { syncs: number } = { syncs: 0 },
    preallocate = 0,
  ) {
    // 'wx': a log number is never reused, so an existing file would be someone else's data.
    this.fd = openSync(path, 'wx', 0o644);
    if (preallocate > 0) writeAt(this.fd, Buffer.alloc(preallocate), 0);
  }

  /**
   * Appends a record; returns the log offset after it. A record whose writer will wait for durability
   * anyway may be deferred: it is written, with every other record deferred in the same turn of the event
   * loop, by one writev just before the next sync, so a group of synced writers costs one system call to
   * write as well as one to sync. A record that is not deferred is written at once (after any deferred
   * ones, keeping log order), so an unsynced write survives a killed process as soon as it resolves.
   */
  append(record: Buffer, defer = false): number {
    if (this.failed !== null) throw this.failed;
    this.offset += record.length;
    if (defer) {
      this.pending.push(record);
      return this.offset;
    }
    this.writePending();
    writeAt(this.fd, record, this.written);
    this.written += record.length;
    return this.offset;
  }

  /** Hands deferred records to the OS. */
  writePending(): void {
    if (this.pending.length === 0) return;
    const records = this.pending;
    this.pending = [];
    let total = 0;
    for (const r of records) total += r.length;
    const n = writevSync(this.fd, records, this.written);
    if (n < total) writeAt(this.fd, Buffer.concat(records).subarray(n), this.written + n);
    this.written += total;
  }

  /** Resolves once everything up to `offset` is on stable storage. */
  waitDurable(offset: number = this.offset): Promise<void> {
    if (this.failed !== null) return Promise.reject(this.failed);
    if (offset <= this.synced) return Promise.resolve();
    return new Promise((resolve, reject) => {
      this.waiters.push({ offset, resolve, reject });
      this.startSync();
    });
  }

  /** Starts a background sync if none runs (sync mode 'batch'); nobody waits for it. */
  syncInBackground(): void {
    if (this.synced < this.offset) this.startSync();
  }

  /**
   * Starts a sync on the next turn of the event loop rather than at once: writers whose promises the last
   * sync just resolved get to append their next record first, so one sync covers all of them instead of
   * the group splitting in two that alternate.
   */
  private startSync(): void {
    if (this.syncing || this.scheduled || this.closed) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      this.syncing = true;
      const target = this.offset;
      try {
        this.writePending();
      } catch (err) {
        // Nothing deferred reached the log: every waiter fails, and so does every later write.
        this.failed = err;
        this.syncing = false;
        for (const w of this.waiters.splice(0)) w.reject(err);
        for (const f of this.idle.splice(0)) f();
        return;
      }
      this.counters.syncs++;
      fdatasync(this.fd, (err) => {
        this.syncing = false;
        if (err) this.failed = err;
        else this.synced = target;
        const still: Waiter[] = [];
        for (const w of this.waiters) {
          if (err) w.reject(err);
          else if (w.offset <= this.synced) w.resolve();
          else still.push(w);
        }
        this.waiters = still;
        if (still.length > 0) this.startSync();
        else for (const f of this.idle.splice(0)) f();
      });
    });
  }

  /** Syncs what was written, waits for running syncs, then closes the file. */
  async close(sync = true): Promise<void> {
    if (this.closed) return;
    this.writePending();
    if (sync && this.failed === null && this.synced < this.offset) await this.waitDurable(this.offset);
    if (this.syncing || this.scheduled) await new Promise<void>((r) => this.idle.push(r));
    this.closed = true;
    closeSync(this.fd);
  }
}

function writeAt(fd: number, data: Buffer, position: number): void {
  let off = 0;
  while (off < data.length) off += writeSync(fd, data, off, data.length - off, position + off);
}
