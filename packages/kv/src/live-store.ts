import { close, closeSync, fdatasync, fdatasyncSync, fstatSync, mkdirSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { FileAccessError } from '@esc/core';
import { loadNativeCrc32 } from './crc32.js';
import { isExpired, type KvEntry } from './kv-entry.js';
import { KvUsageError } from './kv-errors.js';
import { resolveKvOptions, type KvOptions, type ResolvedKvOptions } from './kv-options.js';
import { JournalEncoder } from './journal-encoder.js';
import { KvTransaction } from './kv-transaction.js';
import { SchemaMismatchError } from './schema-mismatch-error.js';
import { storeFiles, type StoreFiles } from './store-files.js';
import type { ReleaseLock } from './store-lock.js';
import { StoreView } from './store-view.js';
import { loadWritePath, type WritePath } from './write-path.js';
import { compactionDue, JournalSwitch, writeSnapshot } from './live-compaction.js';

/**
 * When a change is acknowledged: `none` once it is written to the journal (the OS flushes it later), `batch`
 * the same, with one fdatasync per batch running behind (group commit), `always` once an fdatasync that started
 * after its write has returned.
 */
export type KvSyncMode = 'none' | 'batch' | 'always';

export interface LiveKvOptions extends KvOptions {
  sync?: KvSyncMode;
  /**
   * Longest time the store keeps the lock at a stretch while changes keep coming (default 200 ms): each time
   * it lets go and takes it again costs the lock's mkdir and rmdir and holds writes back for the gap.
   */
  leaseMs?: number;
  /** After letting the lock go, how long to stay out so that a waiting process gets in (default 2 ms). */
  leaseGapMs?: number;
  /** `batch`: at most one fdatasync per this many ms (default 10); `always` syncs as soon as the last returns. */
  syncIntervalMs?: number;
}

/** What one command sees and does: live keys only (an expired key is absent), changes journalled in order. */
export interface KvLiveTransaction {
  /** The clock when the command ran (Unix ms). */
  readonly now: number;
  get(key: string): KvEntry | undefined;
  /** Sets a key; an expiry not in the future deletes it instead. */
  set(key: string, value: string, expiresAt: number | null): void;
  /** Deletes a key; true if it was live. */
  del(key: string): boolean;
  clear(): void;
  /** Every entry, expired ones included (callers filter with `now`). */
  entries(): ReadonlyMap<string, KvEntry>;
}

interface Queued {
  write: boolean;
  fn: (tx: KvLiveTransaction) => unknown;
  resolve: (v: unknown) => void;
  reject: (e: unknown) => void;
}

interface Lease {
  release: ReleaseLock;
  since: number;
  compromised: Error | null;
}

/**
 * A store kept open by a long-lived process (`esc serve`): every key in memory, reads answered from there,
 * changes applied at once in memory and journalled in batches, while `esc kv` processes read and write the
 * same files.
 *
 * - Order: commands run in the order they were given. A read runs at once unless a change is waiting for the
 *   lock, in which case it waits behind it.
 * - Changes need the store lock (another process may be writing). Once this process holds it, it keeps it as a
 *   lease of `leaseMs` while changes keep coming, and a change runs synchronously; changes made in one event
 *   loop turn are appended in one write (and, for `always`, share one fdatasync with everything written while
 *   the previous one ran).
 * - Others' changes: under the lock the view catches up with what other processes appended (only the new
 *   bytes); without it, a read checks the journal's identity and size once per event loop turn.
 */
export class LiveKvStore {
  readonly files: StoreFiles;
  private readonly view: StoreView;
  private readonly tx: Tx;
  private w!: WritePath;
  private lease: Lease | null = null;
  private acquiring: Promise<void> | null = null;
  private releasing: Promise<void> = Promise.resolve();
  private releasedAt = 0;
  private leaseTimer: NodeJS.Timeout | null = null;
  private queue: Queued[] = [];
  private appendFd: { fd: number; ino: number } | null = null;
  /** Journal lines applied in memory, not yet written, and who waits for them. */
  private readonly pending = new JournalEncoder();
  private pendingAcks: Ack[] = [];
  /** The group of `pendingAcks` that changes made now join. */
  private group: AckGroup | null = null;
  private flushScheduled = false;
  /** A compaction writing its files (appends go on meanwhile; the lock is kept until it is done). */
  private compacting: Promise<void> | null = null;
  /** After a failed compaction, the next waits until then (Unix ms). */
  private compactNotBefore = 0;
  /** `always`: written, waiting for an fdatasync that starts after their write. */
  private awaitingSync: Ack[] = [];
  /** Descriptors of replaced journals, closed once the fdatasync running on them returns. */
  private retiredFds: number[] = [];
  private syncing = false;
  private unsyncedBytes = 0;
  private lastSyncAt = 0;
  private syncTimer: NodeJS.Timeout | null = null;
  private checkedThisTurn = false;
  private closed = false;
  private dirReady = false;
  /** The journal this store's last compaction started, and the bytes it started with (see compactionDue). */
  private carried: { ino: number | null; bytes: number } | null = null;
  /** Changes written since the store was opened (INFO). */
  changes = 0;

  /** @internal use openLiveKv */
  constructor(
    path: string,
    private readonly config: ResolvedKvOptions,
    readonly sync: KvSyncMode,
    private readonly leaseMs: number,
    private readonly leaseGapMs: number,
    private readonly syncIntervalMs: number,
  ) {
    this.files = storeFiles(path);
    this.view = new StoreView(this.files, config.onWarning);
    this.tx = new Tx(this.view, config.clock, this.pending);
  }

  /** @internal */
  async load(): Promise<void> {
    this.w = await loadWritePath();
    loadNativeCrc32();
    this.view.loadFull();
    this.view.entries();
  }

  /** The store's clock (Unix ms). */
  now(): number {
    return this.config.clock();
  }

  /**
   * The live entry of one key, as a command reads it (a GET): `read` without a transaction, and the clock read
   * only for a key that has an expiry.
   */
  get(key: string): KvEntry | undefined | Promise<KvEntry | undefined> {
    if (this.queue.length > 0) return this.enqueue(false, (tx) => tx.get(key));
    this.catchUp();
    const e = this.view.lookup(key);
    return e === undefined || (e.expiresAt !== null && isExpired(e, this.config.clock())) ? undefined : e;
  }

  /** Runs a read now (or after the changes waiting ahead of it). */
  read<T>(fn: (tx: KvLiveTransaction) => T): T | Promise<T> {
    if (this.queue.length > 0) return this.enqueue(false, fn);
    this.catchUp();
    this.tx.begin();
    return fn(this.tx);
  }

  /**
   * Runs a change: at once when this process holds the lock, else once it has it. The value comes back as soon
   * as the change is acknowledged for the sync mode; a call that changed nothing returns at once.
   */
  write<T>(fn: (tx: KvLiveTransaction) => T): T | Promise<T> {
    const change = this.writeDeferred(fn);
    if (change instanceof Promise || change.acked === null) return change instanceof Promise ? change : change.value;
    return change.acked.then(() => change.value);
  }

  /**
   * `write` for a caller that keeps many changes in flight (a server): the value at once, with the promise its
   * acknowledgement waits for, shared by every change of the same group (null when nothing changed), so a
   * change costs no promise of its own. A change waiting for the lock comes back as a promise of its value.
   */
  writeDeferred<T>(fn: (tx: KvLiveTransaction) => T): DeferredChange<T> | Promise<T> {
    if (this.closed) throw new KvUsageError('the store is closed');
    if (this.queue.length > 0 || this.lease === null) return this.enqueue(true, fn);
    const before = this.pending.lines;
    this.tx.begin();
    let value: T;
    try {
      value = fn(this.tx);
    } catch (err) {
      // The changes a throwing command made before it threw are applied: they are journalled all the same.
      this.tx.end();
      if (this.pending.lines !== before) this.scheduleFlush();
      throw err;
    }
    this.tx.end();
    if (this.pending.lines === before) return { value, acked: null };
    this.scheduleFlush();
    return { value, acked: this.openGroup().promise };
  }

  /** The acknowledgement of the changes not yet written: one per group, in `pendingAcks` once. */
  private openGroup(): AckGroup {
    if (this.group === null) {
      this.group = new AckGroup();
      this.pendingAcks.push(this.group);
    }
    return this.group;
  }

  private enqueue<T>(write: boolean, fn: (tx: KvLiveTransaction) => T): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ write, fn, resolve: resolve as (v: unknown) => void, reject });
      if (write || this.lease === null) this.acquire();
      else this.scheduleFlush(); // a queued read behind a write that is already running: drained at the flush
    });
  }

  /** A read without the lock: notice others' changes once per event loop turn (a stat and an fstat). */
  private catchUp(): void {
    if (this.lease !== null || this.checkedThisTurn) return;
    this.checkedThisTurn = true;
    setImmediate(() => {
      this.checkedThisTurn = false;
    });
    this.view.refresh();
  }

  private acquire(): void {
    if (this.acquiring || this.lease) return;
    this.acquiring = this.acquireLock()
      .then(
        () => this.drainQueue(),
        (err) => {
          const queue = this.queue;
          this.queue = [];
          for (const q of queue) q.reject(err);
        },
      )
      .finally(() => {
        this.acquiring = null;
        // Work that arrived while the lock was being let go of or taken: go again.
        if (this.queue.length > 0) {
          if (this.lease) this.drainQueue();
          else this.acquire();
        }
      });
  }

  private async acquireLock(): Promise<void> {
    await this.releasing;
    const gap = this.releasedAt + this.leaseGapMs - Date.now();
    if (gap > 0) await new Promise((r) => setTimeout(r, gap));
    if (!this.dirReady) {
      try {
        mkdirSync(dirname(this.files.snapshot), { recursive: true });
      } catch (err) {
        throw new FileAccessError(dirname(this.files.snapshot), err);
      }
      this.dirReady = true;
    }
    const lease: Lease = { release: async () => undefined, since: 0, compromised: null };
    lease.release = await this.w.acquireStoreLock(
      this.files.snapshot,
      this.files.lock,
      { staleMs: this.config.lockStaleMs, waitMs: this.config.lockWaitMs },
      (err) => {
        lease.compromised = err;
      },
    );
    try {
      this.prepareJournalLocked();
      this.appendFdFor();
    } catch (err) {
      await lease.release().catch(() => undefined);
      this.invalidate();
      throw err;
    }
    lease.since = Date.now();
    this.lease = lease;
    // Idle with the lock: let it go after the lease even if no flush comes to do it.
    this.leaseTimer = setTimeout(() => {
      this.leaseTimer = null;
      if (!this.flushScheduled && !this.compacting && this.queue.length === 0) this.releaseLease();
    }, this.leaseMs);
    this.leaseTimer.unref?.();
  }

  /** Under the lock: catch up with other processes, cut a torn tail, replace a missing or stale journal. */
  private prepareJournalLocked(): void {
    const v = this.view;
    v.refreshLocked();
    v.entries();
    if (v.tornTail && !v.journalStale) {
      v.warnTorn();
      this.w.truncateTornTail(v.files.journal, v.journalEnd);
      v.tornTail = null;
    }
    if (v.journalFd === null || v.journalStale) {
      const headerBytes = this.w.createJournal(v.files.journal, v.generation);
      v.adoptNewFiles(v.generation, null, headerBytes);
    }
  }

  private appendFdFor(): number {
    const ino = this.view.journalIno!;
    if (this.appendFd?.ino !== ino) {
      if (this.appendFd) this.retire(this.appendFd.fd);
      this.appendFd = null;
      const fd = this.w.openJournalForAppend(this.files.journal);
      if (fstatSync(fd).ino !== ino) {
        closeSync(fd);
        throw new FileAccessError(this.files.journal, new Error('journal replaced while the lock was held'));
      }
      this.appendFd = { fd, ino };
    }
    return this.appendFd.fd;
  }

  private drainQueue(): void {
    const queue = this.queue;
    this.queue = [];
    for (let i = 0; i < queue.length; i++) {
      const q = queue[i]!;
      try {
        if (q.write) {
          const before = this.pending.lines;
          this.tx.begin();
          let value: unknown;
          try {
            value = q.fn(this.tx);
          } finally {
            this.tx.end();
          }
          if (this.pending.lines === before) q.resolve(value);
          else this.pendingAcks.push({ ok: () => q.resolve(value), fail: q.reject });
        } else {
          this.tx.begin();
          q.resolve(q.fn(this.tx));
        }
      } catch (err) {
        q.reject(err);
      }
    }
    if (this.pending.lines > 0) this.scheduleFlush();
  }

  private scheduleFlush(): void {
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    setImmediate(() => this.flush());
  }

  /** Writes the turn's changes in one append, acknowledges them per the sync mode, maybe compacts. */
  private flush(): void {
    this.flushScheduled = false;
    if (this.queue.length > 0 && this.lease) this.drainQueue();
    // `always`: while an fdatasync runs, changes gather in memory and are written at once when it returns,
    // just before the next one (as Redis writes its AOF buffer once per fsync): one write per group, and no
    // appends to the file under the running fdatasync.
    if (this.sync === 'always' && this.syncing) return;
    const lines = this.pending.lines;
    const buf = this.pending.take();
    const acks = this.pendingAcks;
    this.group = null;
    this.pendingAcks = [];
    if (lines > 0) {
      try {
        if (this.lease?.compromised) throw new FileAccessError(this.files.lock, this.lease.compromised);
        const fd = this.appendFdFor();
        let off = 0;
        while (off < buf.length) off += writeSync(fd, buf, off, buf.length - off);
        this.view.noteAppended(buf.length, lines);
        this.changes += lines;
        this.unsyncedBytes += buf.length;
        if (this.sync === 'always') {
          for (const a of acks) this.awaitingSync.push(a);
          acks.length = 0;
        }
        this.startSync();
      } catch (err) {
        this.failWrites(err, acks);
        return;
      }
      for (const a of acks) a.ok();
      // (No lease left when an `always` fdatasync just failed: the view was reloaded, nothing to compact.)
      if (this.lease && !this.compacting && Date.now() >= this.compactNotBefore && this.journalOutgrown())
        this.startCompaction();
    }
    if (this.lease && !this.compacting && Date.now() - this.lease.since > this.leaseMs) this.releaseLease();
  }

  /**
   * Folds the journal into a new snapshot with the disk work off the event loop, and without stopping appends
   * (see live-compaction.ts): only the last step, copying the lines appended meanwhile into the new journal and
   * renaming it in, runs on the event loop. A compaction that fails leaves whole files behind and is retried
   * a second later; the changes are in the journal either way.
   */
  private startCompaction(): void {
    const lease = this.lease!;
    this.compacting = this.compact(lease)
      .catch((err: unknown) => {
        this.compactNotBefore = Date.now() + 1000;
        this.config.onWarning(`compaction failed, retrying in 1 s: ${err instanceof Error ? err.message : err}`);
      })
      .finally(() => {
        this.compacting = null;
        if (this.pending.lines > 0 || this.queue.length > 0) this.scheduleFlush();
        else if (this.lease && Date.now() - this.lease.since > this.leaseMs) this.releaseLease();
      });
  }

  private async compact(lease: Lease): Promise<void> {
    const ino = this.view.journalIno;
    // Whether the store still holds the lock it started with and has not reloaded its view since (a failure).
    const same = () => this.lease === lease && this.view.journalIno === ino && !lease.compromised;
    const snapshot = await writeSnapshot(this.view, this.config.clock());
    if (!same()) return;
    this.view.adoptSnapshot(snapshot.generation, snapshot.snapshotBytes);
    const next = new JournalSwitch(this.view, snapshot.journalFrom);
    await next.prepare();
    if (!same()) {
      await next.abandon();
      return;
    }
    next.install(this.sync === 'always');
    this.carried = { ino: this.view.journalIno, bytes: this.view.journalEnd };
    this.appendFdFor();
    // The lines copied last are not synced in the new journal yet (`always` synced them in install).
    if (this.sync === 'batch') {
      this.unsyncedBytes += 1;
      this.startSync();
    }
  }

  /** One fdatasync at a time; whatever was written while it ran waits for the next one. */
  private startSync(): void {
    if (this.syncing || this.sync === 'none' || this.unsyncedBytes === 0 || !this.appendFd) return;
    if (this.sync === 'batch') {
      // Nobody waits for a batch-mode fdatasync: one per syncIntervalMs bounds what a power cut can take,
      // and saves the kernel's cost of one per event-loop turn (~10 us of system CPU per set at 50 clients).
      const wait = this.lastSyncAt + this.syncIntervalMs - Date.now();
      if (wait > 0) {
        this.syncTimer ??= setTimeout(() => {
          this.syncTimer = null;
          this.startSync();
        }, wait);
        return;
      }
      this.lastSyncAt = Date.now();
    }
    this.syncing = true;
    const waiting = this.awaitingSync;
    this.awaitingSync = [];
    this.unsyncedBytes = 0;
    const fd = this.appendFd.fd;
    if (this.sync === 'always') {
      // On the event loop, as Redis fsyncs its AOF under appendfsync always (and the stream family its log):
      // requests arriving meanwhile wait in their sockets and are read together afterwards, so the next group
      // holds every client answered since. strace, 20,000 SETs from 50 clients: 474 fdatasyncs (redis-server:
      // 459); on the thread pool, starting the next as the last returned, 627-799, each with thread wake-ups.
      let error: NodeJS.ErrnoException | null = null;
      try {
        fdatasyncSync(fd);
      } catch (err) {
        error = err as NodeJS.ErrnoException;
      }
      this.synced(waiting, error);
    } else fdatasync(fd, (err) => this.synced(waiting, err));
  }

  private synced(waiting: Ack[], err: NodeJS.ErrnoException | null): void {
    this.syncing = false;
    for (const old of this.retiredFds.splice(0)) closeLater(old);
    if (err) {
      // `always`: the changes gathered meanwhile were never written; they fail with the group (the view is
      // reloaded from the files, which do not hold them).
      if (this.sync === 'always') {
        for (const a of this.pendingAcks.splice(0)) waiting.push(a);
        this.group = null;
        this.pending.clear();
      }
      this.failWrites(new FileAccessError(this.files.journal, err), waiting);
      return;
    }
    for (const a of waiting) a.ok();
    if (this.sync === 'always' && this.pending.lines > 0) this.scheduleFlush();
    else this.startSync();
  }

  private failWrites(err: unknown, acks: Ack[]): void {
    // Memory may be ahead of the files: reload the view from them before anything else runs.
    this.invalidate();
    this.releaseLease();
    for (const a of acks) a.fail(err);
  }

  private retire(fd: number): void {
    if (this.syncing) this.retiredFds.push(fd);
    else closeLater(fd);
  }

  private journalOutgrown(): boolean {
    const v = this.view;
    const carried = this.carried !== null && this.carried.ino === v.journalIno ? this.carried.bytes : 0;
    return compactionDue(v.journalEnd, v.snapshotBytes, carried, this.config);
  }

  private releaseLease(): void {
    const lease = this.lease;
    if (!lease) return;
    this.lease = null;
    if (this.leaseTimer) clearTimeout(this.leaseTimer);
    this.leaseTimer = null;
    this.releasedAt = Date.now();
    this.releasing = lease.release().catch(() => undefined);
  }

  private invalidate(): void {
    try {
      this.view.loadFull();
      this.view.entries();
    } catch {
      this.view.closeJournal();
      this.view.journalIno = -1;
    }
  }

  /**
   * The live entry of one key now, outside the command order (another key type's family asking whether a key
   * is taken); commands use `read` and `write`.
   */
  peek(key: string): KvEntry | undefined {
    this.catchUp();
    const e = this.view.lookup(key);
    return e === undefined || (e.expiresAt !== null && isExpired(e, this.config.clock())) ? undefined : e;
  }

  /** Every live key now, outside the command order (see `peek`). */
  *liveKeys(): IterableIterator<string> {
    this.catchUp();
    const now = this.config.clock();
    for (const [k, e] of this.view.entries()) if (!isExpired(e, now)) yield k;
  }

  // ---- what the server reports ----

  /** Live keys, keys with an expiry among them, and their mean time left in ms (INFO keyspace). */
  counts(): { keys: number; expires: number; avgTtl: number } {
    this.catchUp();
    const now = this.config.clock();
    let keys = 0;
    let expires = 0;
    let ttlSum = 0;
    for (const e of this.view.entries().values()) {
      if (isExpired(e, now)) continue;
      keys++;
      if (e.expiresAt !== null) {
        expires++;
        ttlSum += e.expiresAt - now;
      }
    }
    return { keys, expires, avgTtl: expires === 0 ? 0 : Math.round(ttlSum / expires) };
  }

  /** The files as this process last saw them (INFO persistence). */
  fileInfo(): { generation: number; snapshotBytes: number; journalBytes: number; lastCompaction: string | null } {
    const v = this.view;
    return {
      generation: v.generation,
      snapshotBytes: v.snapshotBytes,
      journalBytes: v.journalEnd,
      lastCompaction: v.snapshotCreatedAt,
    };
  }

  /** Waits for every change to be written and synced, lets go of the lock and closes the files. */
  async close(): Promise<void> {
    if (this.closed) return;
    if (this.syncTimer) clearTimeout(this.syncTimer);
    this.syncTimer = null;
    while (this.queue.length > 0 || this.acquiring || this.flushScheduled || this.syncing || this.compacting) {
      await (this.acquiring ?? this.compacting ?? new Promise((r) => setImmediate(r)));
    }
    this.closed = true;
    if (this.syncTimer) clearTimeout(this.syncTimer);
    this.syncTimer = null;
    if (this.appendFd && this.sync !== 'none') {
      const { fd } = this.appendFd;
      await new Promise<void>((resolve) => fdatasync(fd, () => resolve()));
    }
    this.releaseLease();
    await this.releasing;
    if (this.appendFd) closeSync(this.appendFd.fd);
    this.appendFd = null;
    this.view.close();
  }
}

/**
 * Closes a replaced journal's descriptor on libuv's thread pool: it is the inode's last reference, and freeing a
 * 1 MiB file's blocks took milliseconds of the event loop per compaction.
 */
function closeLater(fd: number): void {
  close(fd, () => undefined);
}

/** A change waiting to be acknowledged. */
interface Ack {
  ok: () => void;
  fail: (e: unknown) => void;
}

/** A change made with `writeDeferred`: its value, and what its acknowledgement waits for (null: nothing). */
export interface DeferredChange<T> {
  readonly value: T;
  readonly acked: Promise<void> | null;
}

/** The acknowledgement the changes of one group share. */
class AckGroup implements Ack {
  readonly promise: Promise<void>;
  ok!: () => void;
  fail!: (e: unknown) => void;

  constructor() {
    this.promise = new Promise<void>((resolve, reject) => {
      this.ok = resolve;
      this.fail = reject;
    });
    // Whoever waits sees a failure; a group nobody waits on must not become an unhandled rejection.
    this.promise.catch(() => undefined);
  }
}

/**
 * The one transaction object the store hands to every command: KvTransaction with the clock read per command
 * (when the command first needs it).
 */
class Tx implements KvLiveTransaction {
  private readonly inner: KvTransaction;

  constructor(
    private readonly view: StoreView,
    clock: () => number,
    encoder: JournalEncoder,
  ) {
    this.inner = new KvTransaction(view, clock(), encoder, clock);
  }

  begin(): void {
    this.inner.nextOperation();
  }

  get now(): number {
    return this.inner.now;
  }

  get(key: string): KvEntry | undefined {
    return this.inner.get(key);
  }

  set(key: string, value: string, expiresAt: number | null): void {
    this.inner.set(key, value, expiresAt);
  }

  del(key: string): boolean {
    return this.inner.del(key);
  }

  clear(): void {
    this.inner.clear();
  }

  entries(): ReadonlyMap<string, KvEntry> {
    return this.view.entries();
  }

  /** Ends the command: its changes become one line in the store's pending journal bytes. */
  end(): void {
    this.inner.endOperation();
  }
}

/**
 * Opens a store for a long-lived process: the same files as `openKv` (and `esc kv`), every key in memory.
 * A corrupt file throws CorruptionError naming it; nothing is touched.
 */
export async function openLiveKv(path: string, options: LiveKvOptions = {}): Promise<LiveKvStore> {
  const { sync = 'batch', leaseMs = 200, leaseGapMs = 2, syncIntervalMs = 10, ...kvOptions } = options;
  const config = await resolveKvOptions(kvOptions);
  // A server writes fast: with a small store the journal would be folded every 256 KiB (a snapshot, two
  // renames and four fsyncs each time). Let it grow to the cap readers are promised instead.
  if (options.compactMinBytes === undefined) config.compactMinBytes = config.journalMaxBytes;
  const store = new LiveKvStore(path, config, sync, leaseMs, leaseGapMs, syncIntervalMs);
  try {
    await store.load();
  } catch (err) {
    if (err instanceof SchemaMismatchError) throw await err.withZodDetail();
    throw err;
  }
  return store;
}
