import { closeSync, fstatSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { FileAccessError } from '@esc/core';
import type { PendingOp } from './group-commit.js';
import type { KvTransaction } from './kv-transaction.js';
import type { ResolvedKvOptions } from './kv-options.js';
import type { ReleaseLock } from './store-lock.js';
import type { StoreView } from './store-view.js';
import { loadWritePath, type WritePath } from './write-path.js';

interface LockLease {
  release: ReleaseLock;
  since: number;
  compromised: Error | null;
}

/** Longest time one process keeps the lock across back-to-back groups before letting others in. */
const LEASE_MS = 20;

/**
 * Commits one group of queued changes: takes the store lock (or keeps the lease), catches up with other
 * processes, applies the changes, appends them in one write, fdatasyncs, and compacts when the journal has
 * outgrown its cap. Only then are the callers settled.
 */
export class StoreWriter {
  /** The store lock while this process holds it (between groups of a busy queue). */
  private lease: LockLease | null = null;
  private appendFd: { fd: number; ino: number } | null = null;
  private dirReady = false;
  /** `compact()` was called: compact after this group whatever the journal's size. */
  compactRequested = false;

  constructor(
    private readonly view: StoreView,
    private readonly config: ResolvedKvOptions,
  ) {}

  async commit(batch: PendingOp<KvTransaction>[]): Promise<void> {
    const files = this.view.files;
    if (!this.dirReady) {
      try {
        mkdirSync(dirname(files.snapshot), { recursive: true });
      } catch (err) {
        throw new FileAccessError(dirname(files.snapshot), err);
      }
      this.dirReady = true;
    }
    const w = await loadWritePath();
    w.loadNativeCrc32(); // a writer sums every journal line it replays, appends and compacts
    if (this.lease === null) {
      const lease: LockLease = { release: async () => undefined, since: Date.now(), compromised: null };
      lease.release = await w.acquireStoreLock(
        files.snapshot,
        files.lock,
        { staleMs: this.config.lockStaleMs, waitMs: this.config.lockWaitMs },
        (err) => {
          lease.compromised = err;
        },
      );
      this.lease = lease;
    }
    const settled: (() => void)[] = [];
    try {
      this.prepareJournalLocked(w);
      const tx = new w.KvTransaction(this.view, this.config.clock());
      for (const op of batch) {
        try {
          const value = op.apply(tx);
          settled.push(() => op.resolve(value));
        } catch (err) {
          settled.push(() => op.reject(err));
        }
        tx.endOperation();
      }
      if (tx.lines.length > 0) {
        const bytes = w.appendDurably(this.appendFdFor(w), files.journal, tx.lines.join(''));
        this.view.noteAppended(bytes, tx.lines.length);
      }
      if (this.compactRequested || this.journalOutgrown()) {
        this.compactRequested = false;
        w.compactStore(this.view, tx.now);
      }
      if (this.lease.compromised) throw new FileAccessError(files.lock, this.lease.compromised);
    } catch (err) {
      // Memory may now be ahead of the files: forget the view and reload it before the next group.
      this.invalidate();
      await this.releaseLock();
      throw err;
    }
    // Durable: acknowledge now. The lock is kept while callers keep the queue busy (a caller awaiting one set
    // after another would otherwise pay a lock and an unlock per set), but never longer than LEASE_MS at a time.
    if (Date.now() - this.lease.since > LEASE_MS) await this.releaseLock();
    for (const s of settled) s();
  }

  async releaseLock(): Promise<void> {
    const lease = this.lease;
    this.lease = null;
    if (lease) await lease.release().catch(() => undefined);
  }

  /** Under the lock: catch up with other processes, cut a torn tail, replace a missing or stale journal. */
  private prepareJournalLocked(w: WritePath): void {
    const v = this.view;
    v.refreshLocked();
    if (v.tornTail && !v.journalStale) {
      v.warnTorn();
      w.truncateTornTail(v.files.journal, v.journalEnd);
      v.tornTail = null;
    }
    if (v.journalFd === null || v.journalStale) {
      const headerBytes = w.createJournal(v.files.journal, v.generation);
      v.adoptNewFiles(v.generation, null, headerBytes);
    }
  }

  private appendFdFor(w: WritePath): number {
    const ino = this.view.journalIno!;
    if (this.appendFd?.ino !== ino) {
      if (this.appendFd) closeSync(this.appendFd.fd);
      const fd = w.openJournalForAppend(this.view.files.journal);
      const actual = fstatSync(fd).ino;
      if (actual !== ino) {
        closeSync(fd);
        throw new FileAccessError(this.view.files.journal, new Error('journal replaced while the lock was held'));
      }
      this.appendFd = { fd, ino };
    }
    return this.appendFd.fd;
  }

  private journalOutgrown(): boolean {
    const v = this.view;
    const cap = Math.min(v.snapshotBytes * this.config.compactRatio, this.config.journalMaxBytes);
    return v.journalEnd > Math.max(cap, this.config.compactMinBytes);
  }

  private invalidate(): void {
    this.view.closeJournal();
    this.view.journalIno = -1;
  }

  close(): void {
    if (this.appendFd) closeSync(this.appendFd.fd);
    this.appendFd = null;
  }
}
