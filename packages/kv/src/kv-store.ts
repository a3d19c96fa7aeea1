import { statSync } from 'node:fs';
import {
  checkExpireConditions,
  expireAllowed,
  remainingTtl,
  resolveSetExpiry,
  type ExpireCondition,
} from './expiry.js';
import { isRedisUrl } from '@esc/redis/url';
import { GroupCommit } from './group-commit.js';
import type { KeyValueStore } from './key-value-store.js';
import { isExpired, type KvEntry, type KvItem } from './kv-entry.js';
import { KvUsageError, KvValueError } from './kv-errors.js';
import { resolveKvOptions, type KvOptions, type ResolvedKvOptions } from './kv-options.js';
import { storeStats, type KvStats } from './kv-stats.js';
import type { KvTransaction } from './kv-transaction.js';
import { INT64_MAX, INT64_MIN, parseInt64 } from './redis-integer.js';
import { compileRedisGlob } from './redis-glob.js';
import { SchemaMismatchError } from './schema-mismatch-error.js';
import type { SetOptions, SetResult } from './set-options.js';
import { storeFiles, type StoreFiles } from './store-files.js';
import { StoreView } from './store-view.js';
import { StoreWriter } from './store-writer.js';

/**
 * A store opened in this process. Reads take no lock and never write; each change is queued, and queued
 * changes are committed together (one lock, one append, one fsync: group commit). Every method that changes
 * the store resolves only once its change is durable.
 *
 * Method names are Redis's command names, lowercase, as ioredis spells them (`incrby`, `pexpireat`, `mget`),
 * so a Redis user finds each command under the name they know; the rest (`items`, `stats`, `verify`,
 * `compact`, `close`) are single words.
 */
export class KvStore implements KeyValueStore {
  private readonly view: StoreView;
  private readonly config: ResolvedKvOptions;
  private readonly group: GroupCommit<KvTransaction>;
  private readonly writer: StoreWriter;
  private closed = false;
  /** The snapshot's path (the journal and lock sit beside it: `files`). */
  readonly path: string;

  // Fields declared apart from the constructor: with stripInternal, parameter properties would vanish with it.
  /** @internal use openKv */
  constructor(path: string, config: ResolvedKvOptions) {
    this.path = path;
    this.config = config;
    this.view = new StoreView(storeFiles(path), this.config.onWarning);
    this.writer = new StoreWriter(this.view, config);
    this.group = new GroupCommit<KvTransaction>(
      (batch) => this.writer.commit(batch),
      () => this.writer.releaseLock(),
    );
  }

  /** @internal opens the files (openKv calls it) */
  load(): void {
    this.view.loadFull();
    // A torn-looking tail may be a write in progress in another process: look again, and leave the verdict to
    // the writer while one holds the lock (it cuts a real torn tail, with the warning, before its own append).
    // Under a loaded machine a writer can sit mid-append for longer than any fixed pause.
    for (const pause of [5, 20, 50]) {
      if (!this.view.tornTail || this.writeLockHeld()) return;
      sleep(pause);
      this.view.loadFull();
    }
    this.view.warnTorn();
  }

  /** A live writer's lock: present and refreshed within the stale time (a crashed writer's lock is not). */
  private writeLockHeld(): boolean {
    try {
      return Date.now() - statSync(this.view.files.lock).mtimeMs < this.config.lockStaleMs;
    } catch {
      return false;
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
    this.view.refresh();
    return keys.map((k) => this.liveNoRefresh(k)?.value ?? null);
  }

  /** How many of `keys` exist (a key named twice counts twice, as in Redis). */
  async exists(keys: readonly string[]): Promise<number> {
    this.view.refresh();
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
    this.view.refresh();
    const now = this.config.clock();
    const out: KvItem[] = [];
    for (const [key, e] of this.view.entries())
      if (!isExpired(e, now)) out.push({ key, value: e.value, expiresAt: e.expiresAt });
    return out.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  }

  async stats(): Promise<KvStats> {
    this.view.refresh();
    return storeStats(this.view, this.config.clock());
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
    if (options.nx && options.xx) throw new KvUsageError('NX and XX cannot be combined (syntax error)');
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
    return this.expireWhen(key, () => this.config.clock() + seconds * 1000, conditions);
  }

  /** Redis PEXPIRE (milliseconds from now). */
  async pexpire(key: string, ms: number, conditions: readonly ExpireCondition[] = []): Promise<boolean> {
    return this.expireWhen(key, () => this.config.clock() + ms, conditions);
  }

  /** Redis PEXPIREAT: an absolute time in Unix milliseconds. */
  async pexpireat(key: string, unixMs: number, conditions: readonly ExpireCondition[] = []): Promise<boolean> {
    return this.expireWhen(key, () => unixMs, conditions);
  }

  private async expireWhen(key: string, when: () => number, conditions: readonly ExpireCondition[]): Promise<boolean> {
    checkExpireConditions(conditions);
    return this.submit((tx) => {
      const old = tx.get(key);
      if (!old) return false;
      const at = when();
      if (!Number.isSafeInteger(at)) throw new KvUsageError('invalid expire time');
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
  async incrby(key: string, by: number | bigint = 1): Promise<bigint> {
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
      this.writer.compactRequested = true;
    });
  }

  /** Waits for queued changes, then releases the files. */
  async close(): Promise<void> {
    await this.group.idle();
    this.closed = true;
    this.writer.close();
    this.view.close();
  }

  private live(key: string): KvEntry | undefined {
    this.view.refresh();
    return this.liveNoRefresh(key);
  }

  private liveNoRefresh(key: string): KvEntry | undefined {
    const e = this.view.lookup(key);
    return e === undefined || isExpired(e, this.config.clock()) ? undefined : e;
  }

  private submit<T>(apply: (tx: KvTransaction) => T): Promise<T> {
    if (this.closed) return Promise.reject(new KvUsageError('the store is closed'));
    return this.group.submit(apply);
  }
}

function sleep(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/**
 * Opens the store whose snapshot is `path` (journal `path.journal`, lock `path.lock`); a missing store is
 * empty until the first write creates it. A corrupt file throws CorruptionError naming it; nothing is touched.
 * A connection string (`redis://…`, `rediss://…`, `redis-cluster://…`) opens the store on Redis instead
 * (docs/scale-out.md): the same API, Redis's clock (`clock` and the file options apply to the embedded store only).
 */
export async function openKv(path: string, options: KvOptions = {}): Promise<KeyValueStore> {
  // Loaded only for Redis, so the embedded store's start-up never pays for ioredis.
  if (isRedisUrl(path)) return (await import('./redis-kv-store.js')).openRedisKv(path);
  const store = new KvStore(path, await resolveKvOptions(options));
  try {
    store.load();
  } catch (err) {
    if (err instanceof SchemaMismatchError) throw await err.withZodDetail();
    throw err;
  }
  return store;
}
