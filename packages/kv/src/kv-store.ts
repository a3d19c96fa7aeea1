import { closeSync, fstatSync, mkdirSync, renameSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import { EscError, ExitCode, FileAccessError, isErrno } from '@esc/core';
import {
  checkExpireConditions,
  expireAllowed,
  remainingTtl,
  resolveSetExpiry,
  type ExpireCondition,
  type SetExpiryOptions,
} from './expiry.js';
import { GroupCommit, type PendingOp } from './group-commit.js';
import { isExpired, type KvEntry } from './kv-entry.js';
import { resolveKvOptions, type KvOptions, type ResolvedKvOptions } from './kv-options.js';
import { SchemaMismatchError } from './schema-mismatch-error.js';
import type { KvTransaction } from './kv-transaction.js';
import { compileRedisGlob } from './redis-glob.js';
import type { ReleaseLock } from './store-lock.js';
import { loadWritePath, type WritePath } from './write-path.js';
import { storeFiles, type StoreFiles } from './store-files.js';
import { StoreView } from './store-view.js';

/** A value an operation cannot work on (INCR of a non-integer, an overflow). */
export class KvValueError extends EscError {
  constructor(message: string) {
    super(message, {}, ExitCode.Error);
  }
}

export interface SetOptions extends SetExpiryOptions {
  /** Only set if the key does not exist (live). */
  nx?: boolean;
  /** Only set if the key exists (live). */
  xx?: boolean;
}

export interface SetResult {
  /** False when NX/XX stopped the write. */
  written: boolean;
  /** The value before the call (Redis SET … GET), null if the key was absent. */
  previous: string | null;
}

export interface KvStats {
  liveKeys: number;
  keysWithTtl: number;
  /** Keys whose expiry has passed but which are still in the files (swept at the next compaction). */
  expiredNotSwept: number;
  snapshot: { path: string; bytes: number; generation: number };
  journal: { path: string; bytes: number; records: number };
  /** When the current snapshot was written (ISO 8601), null before the first compaction. */
  lastCompaction: string | null;
}

export interface KvItem {
  key: string;
  value: string;
  /** Absolute expiry in Unix milliseconds, or null. */
  expiresAt: number | null;
}

interface LockLease {
  release: ReleaseLock;
  since: number;
  compromised: Error | null;
}

/** Longest time one process keeps the lock across back-to-back groups before letting others in. */
const LEASE_MS = 20;

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/**
 * A store opened in this process. Reads take no lock and never write; each change is queued, and queued
 * changes are committed together (one lock, one append, one fsync: group commit). Every method that changes
 * the store resolves only once its change is durable.
 */
export class KvStore {
  private readonly view: StoreView;
  private readonly config: ResolvedKvOptions;
  private readonly group: GroupCommit<KvTransaction>;
  private appendFd: { fd: number; ino: number } | null = null;
  /** The store lock while this process holds it (between groups of a busy queue). */
  private lease: LockLease | null = null;
  private dirReady = false;
  private closed = false;

  /** @internal use openKv */
  constructor(
    readonly path: string,
    config: ResolvedKvOptions,
  ) {
    this.config = config;
    this.view = new StoreView(storeFiles(path), this.config.onWarning);
    this.group = new GroupCommit<KvTransaction>(
      (batch) => this.commit(batch),
      () => this.releaseLock(),
    );
  }

  /** @internal */
  load(): void {
    this.view.loadFull();
    if (this.view.tornTail) {
      // It may be a write in progress in another process: look again before calling it torn.
      sleep(5);
      this.view.loadFull();
      this.view.warnTorn();
    }
  }

  get files(): StoreFiles {
    return this.view.files;
  }

  // ---- reads: no lock, no writes ----

  async get(key: string): Promise<string | null> {
    return this.live(key)?.value ?? null;
  }

  async mget(keys: readonly string[]): Promise<(string | null)[]> {
    this.refresh();
    return keys.map((k) => this.liveNoRefresh(k)?.value ?? null);
  }

  /** How many of `keys` exist (a key named twice counts twice, as in Redis). */
  async exists(keys: readonly string[]): Promise<number> {
    this.refresh();
    return keys.filter((k) => this.liveNoRefresh(k) !== undefined).length;
  }

  /** Seconds left: -2 missing, -1 no expiry. */
  async ttl(key: string): Promise<number> {
    return remainingTtl(this.live(key), this.config.clock(), 's');
  }

  /** Milliseconds left: -2 missing, -1 no expiry. */
  async pttl(key: string): Promise<number> {
    return remainingTtl(this.live(key), this.config.clock(), 'ms');
  }

  /** Live keys matching a Redis glob pattern, sorted. */
  async keys(pattern = '*'): Promise<string[]> {
    const re = pattern === '*' ? null : compileRedisGlob(pattern);
    return (await this.items()).map((i) => i.key).filter((k) => re === null || re(k));
  }

  /** Every live key with its value and expiry, sorted by key. */
  async items(): Promise<KvItem[]> {
    this.refresh();
    const now = this.config.clock();
    const out: KvItem[] = [];
    for (const [key, e] of this.view.entries())
      if (!isExpired(e, now)) out.push({ key, value: e.value, expiresAt: e.expiresAt });
    return out.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  }

  async stats(): Promise<KvStats> {
    this.refresh();
    const now = this.config.clock();
    let live = 0;
    let withTtl = 0;
    let expired = 0;
    for (const e of this.view.entries().values()) {
      if (isExpired(e, now)) expired++;
      else {
        live++;
        if (e.expiresAt !== null) withTtl++;
      }
    }
    const v = this.view;
    return {
      liveKeys: live,
      keysWithTtl: withTtl,
      expiredNotSwept: expired,
      snapshot: { path: v.files.snapshot, bytes: v.snapshotBytes, generation: v.generation },
      journal: {
        path: v.files.journal,
        bytes: v.journalFd === null ? 0 : v.journalEnd,
        records: Math.max(0, v.journalLineCount() - 1),
      },
      lastCompaction: v.snapshotCreatedAt,
    };
  }

  /**
   * Reads and checks both files whole: the snapshot's whole-file checksum, every entry's shape, their count and
   * order, and every journal line. A point read (`get`, `ttl`, `exists`, a `set`'s own key) checks only the
   * lines it reads; `keys`, `items`, `stats` and every compaction check everything, as this does.
   */
  async verify(): Promise<void> {
    this.view.loadFull();
    this.view.entries();
  }

  // ---- changes: queued, grouped, durable when resolved ----

  /** Redis SET with EX/PX/EXAT/PXAT/KEEPTTL, NX/XX; `previous` serves SET … GET. A plain set clears the TTL. */
  async set(key: string, value: string, options: SetOptions = {}): Promise<SetResult> {
    if (options.nx && options.xx) throw new KvUsage('set: NX and XX cannot be combined (syntax error)');
    resolveSetExpiry(options, 0); // conflicts fail before queueing
    return this.submit((tx) => {
      const old = tx.get(key);
      const result: SetResult = { written: false, previous: old?.value ?? null };
      if ((options.nx && old) || (options.xx && !old)) return result;
      const expiry = resolveSetExpiry(options, tx.now);
      tx.set(key, value, expiry === 'keep' ? (old?.expiresAt ?? null) : expiry);
      result.written = true;
      return result;
    });
  }

  /** Sets several keys at once (one journal group; each clears its TTL). */
  async mset(pairs: readonly (readonly [string, string])[]): Promise<void> {
    return this.submit((tx) => {
      for (const [k, v] of pairs) tx.set(k, v, null);
    });
  }

  /** Deletes keys; resolves to how many existed. */
  async del(keys: readonly string[]): Promise<number> {
    return this.submit((tx) => keys.filter((k) => tx.del(k)).length);
  }

  /** Redis EXPIRE (seconds from now); true if the expiry was set. A time not in the future deletes the key. */
  async expire(key: string, seconds: number, conditions: readonly ExpireCondition[] = []): Promise<boolean> {
    return this.expireAt(key, () => this.config.clock() + seconds * 1000, conditions);
  }

  /** Redis PEXPIRE (milliseconds from now). */
  async pexpire(key: string, ms: number, conditions: readonly ExpireCondition[] = []): Promise<boolean> {
    return this.expireAt(key, () => this.config.clock() + ms, conditions);
  }

  /** Redis PEXPIREAT: an absolute time in Unix milliseconds. */
  async pexpireAt(key: string, unixMs: number, conditions: readonly ExpireCondition[] = []): Promise<boolean> {
    return this.expireAt(key, () => unixMs, conditions);
  }

  private async expireAt(key: string, when: () => number, conditions: readonly ExpireCondition[]): Promise<boolean> {
    checkExpireConditions(conditions);
    return this.submit((tx) => {
      const old = tx.get(key);
      if (!old) return false;
      const at = when();
      if (!Number.isSafeInteger(at)) throw new KvUsage('expire: invalid expire time');
      if (!expireAllowed(conditions, old.expiresAt, at)) return false;
      tx.set(key, old.value, at);
      return true;
    });
  }

  /** Redis PERSIST: removes the expiry; true if there was one. */
  async persist(key: string): Promise<boolean> {
    return this.submit((tx) => {
      const old = tx.get(key);
      if (!old || old.expiresAt === null) return false;
      tx.set(key, old.value, null);
      return true;
    });
  }

  /** Redis INCRBY: adds `by` to a 64-bit integer value (a missing key counts as 0), keeping the TTL. */
  async incrBy(key: string, by: number | bigint = 1): Promise<bigint> {
    const delta = BigInt(by);
    return this.submit((tx) => {
      const old = tx.get(key);
      const current = old === undefined ? 0n : parseInt64(old.value);
      const next = current + delta;
      if (next < INT64_MIN || next > INT64_MAX) throw new KvValueError('increment or decrement would overflow');
      tx.set(key, next.toString(), old?.expiresAt ?? null);
      return next;
    });
  }

  /** Deletes every key (one journal line; the next compaction shrinks the files). */
  async clear(): Promise<void> {
    return this.submit((tx) => tx.clear());
  }

  /** Writes a new snapshot now and starts an empty journal (normally automatic). */
  async compact(): Promise<void> {
    return this.submit(() => {
      this.compactRequested = true;
    });
  }

  /** Waits for queued changes, then releases the files. */
  async close(): Promise<void> {
    await this.group.idle();
    this.closed = true;
    if (this.appendFd) closeSync(this.appendFd.fd);
    this.appendFd = null;
    this.view.close();
  }

  // ---- internals ----

  private compactRequested = false;

  private refresh(): void {
    this.view.refresh();
  }

  private live(key: string): KvEntry | undefined {
    this.refresh();
    return this.liveNoRefresh(key);
  }

  private liveNoRefresh(key: string): KvEntry | undefined {
    const e = this.view.lookup(key);
    return e === undefined || isExpired(e, this.config.clock()) ? undefined : e;
  }

  private submit<T>(apply: (tx: KvTransaction) => T): Promise<T> {
    if (this.closed) return Promise.reject(new KvUsage('the store is closed'));
    return this.group.submit(apply);
  }

  private async commit(batch: PendingOp<KvTransaction>[]): Promise<void> {
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

  private async releaseLock(): Promise<void> {
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
}

class KvUsage extends EscError {
  constructor(message: string) {
    super(message, {}, ExitCode.Error);
  }
}

/** Redis's integer rule: an optional minus and digits, no leading zeros or plus, within 64 bits. */
function parseInt64(text: string): bigint {
  if (!/^-?(0|[1-9]\d{0,18})$/.test(text)) throw new KvValueError('value is not an integer or out of range');
  const n = BigInt(text);
  if (n < INT64_MIN || n > INT64_MAX) throw new KvValueError('value is not an integer or out of range');
  return n;
}

function sleep(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/**
 * Opens the store whose snapshot is `path` (journal `path.journal`, lock `path.lock`); a missing store is
 * empty until the first write creates it. A corrupt file throws CorruptionError naming it; nothing is touched.
 */
export async function openKv(path: string, options: KvOptions = {}): Promise<KvStore> {
  const store = new KvStore(path, await resolveKvOptions(options));
  try {
    store.load();
  } catch (err) {
    if (err instanceof SchemaMismatchError) throw await err.withZodDetail();
    throw err;
  }
  return store;
}

/**
 * Starts the store over (CLI `clear --force`): under the lock, moves the existing snapshot and journal aside
 * to `<name>.corrupt-<time>` (whatever state they are in: nothing is deleted), then writes an empty snapshot
 * and journal. Returns the paths the old files were moved to.
 */
export async function resetKv(path: string, options: KvOptions = {}): Promise<string[]> {
  const config = await resolveKvOptions(options);
  const files = storeFiles(path);
  mkdirSync(dirname(path), { recursive: true });
  const w = await loadWritePath();
  const release = await w.acquireStoreLock(
    files.snapshot,
    files.lock,
    { staleMs: config.lockStaleMs, waitMs: config.lockWaitMs },
    () => undefined,
  );
  try {
    const stamp = new Date(config.clock()).toISOString().replace(/[:.]/g, '-');
    const moved: string[] = [];
    for (const file of [files.snapshot, files.journal]) {
      try {
        statSync(file);
      } catch (err) {
        if (isErrno(err, 'ENOENT')) continue;
        throw new FileAccessError(file, err);
      }
      const aside = `${file}.corrupt-${stamp}`;
      renameSync(file, aside);
      moved.push(aside);
    }
    // A generation no earlier journal can carry, so no reader mistakes an old journal for this snapshot's.
    const generation = Date.now();
    w.writeSnapshot(files.snapshot, generation, []);
    w.createJournal(files.journal, generation);
    return moved;
  } finally {
    await release().catch(() => undefined);
  }
}
