export { openKv, KvStore } from './kv-store.js';
export type { KeyValueStore } from './key-value-store.js';
export type { RedisKvStats } from './redis-kv-stats.js';
export { resetKv } from './reset-kv.js';
export { KvUsageError, KvValueError } from './kv-errors.js';
export type { SetOptions, SetResult } from './set-options.js';
export type { KvStats } from './kv-stats.js';
export type { KvItem } from './kv-entry.js';
export type { KvOptions, KvConfig } from './kv-options.js';
export { SchemaMismatchError } from './schema-mismatch-error.js';
export type { ExpireCondition, SetExpiryOptions } from './expiry.js';
export { StoreLockedError } from './store-lock.js';
export { defaultStorePath, storeFiles, type StoreFiles } from './store-files.js';
export { compileRedisGlob, matchesRedisGlob } from './redis-glob.js';
export {
  openLiveKv,
  type LiveKvStore,
  type LiveKvOptions,
  type KvLiveTransaction,
  type KvSyncMode,
  type DeferredChange,
} from './live-store.js';
export type { KvEntry } from './kv-entry.js';
export {
  bytesToKvString,
  bytesToKvStringAt,
  kvStringToBytes,
  kvStringByteLength,
  isWellFormedKvString,
} from './binary-value.js';
