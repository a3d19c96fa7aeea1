export {
  openKv,
  resetKv,
  KvStore,
  KvValueError,
  type SetOptions,
  type SetResult,
  type KvStats,
  type KvItem,
} from './kv-store.js';
export type { KvOptions, KvConfig } from './kv-options.js';
export { SchemaMismatchError } from './schema-mismatch-error.js';
export type { ExpireCondition, SetExpiryOptions } from './expiry.js';
export { StoreLockedError } from './store-lock.js';
export { defaultStorePath, storeFiles, type StoreFiles } from './store-files.js';
export { compileRedisGlob, matchesRedisGlob } from './redis-glob.js';
