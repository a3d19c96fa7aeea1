import type { ExpireCondition } from './expiry.js';
import type { KvItem } from './kv-entry.js';
import type { KvStats } from './kv-stats.js';
import type { RedisKvStats } from './redis-kv-stats.js';
import type { SetOptions, SetResult } from './set-options.js';

/**
 * What `openKv` returns, whichever backend holds the keys: the embedded store (a file on this machine) or Redis
 * (`redis://`, `rediss://`, `redis-cluster://`). Both follow Redis's semantics, so callers (the CLI among them)
 * cannot tell them apart except through `stats`, `verify` and `compact`, whose meaning depends on the backend.
 */
export interface KeyValueStore {
  get(key: string): Promise<string | null>;
  mget(keys: readonly string[]): Promise<(string | null)[]>;
  /** How many of `keys` exist (a key named twice counts twice, as in Redis). */
  exists(keys: readonly string[]): Promise<number>;
  /** Seconds left: -2 missing, -1 no expiry. */
  ttl(key: string): Promise<number>;
  /** Milliseconds left: -2 missing, -1 no expiry. */
  pttl(key: string): Promise<number>;
  /** Live keys matching a Redis glob pattern, sorted. */
  keys(pattern?: string): Promise<string[]>;
  /** Every live key with its value and expiry, sorted by key. */
  items(): Promise<KvItem[]>;
  stats(): Promise<KvStats | RedisKvStats>;
  /** Embedded: reads and checks every byte of both files. Redis: every master answers and (cluster) every slot is served. */
  verify(): Promise<void>;
  set(key: string, value: string, options?: SetOptions): Promise<SetResult>;
  /** Sets several keys (each clears its TTL). Atomic on the embedded store and one server; per slot on a cluster. */
  mset(pairs: readonly (readonly [string, string])[]): Promise<void>;
  /** Deletes keys; resolves to how many existed. */
  del(keys: readonly string[]): Promise<number>;
  expire(key: string, seconds: number, conditions?: readonly ExpireCondition[]): Promise<boolean>;
  pexpire(key: string, ms: number, conditions?: readonly ExpireCondition[]): Promise<boolean>;
  pexpireat(key: string, unixMs: number, conditions?: readonly ExpireCondition[]): Promise<boolean>;
  persist(key: string): Promise<boolean>;
  incrby(key: string, by?: number | bigint): Promise<bigint>;
  /** Deletes every key (on Redis: FLUSHDB on every master). */
  clear(): Promise<void>;
  /** Embedded: writes a new snapshot now. Redis: refused (KvUsageError), Redis compacts on its own. */
  compact(): Promise<void>;
  close(): Promise<void>;
}
