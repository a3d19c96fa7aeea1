/** One stored value: a string (as in Redis) and its absolute expiry in Unix milliseconds, or null for none. */
export interface KvEntry {
  value: string;
  expiresAt: number | null;
}

/** Redis's rule: a key is gone once the clock has passed its expiry. */
export function isExpired(entry: KvEntry, now: number): boolean {
  return entry.expiresAt !== null && entry.expiresAt <= now;
}

/** A live key as listed (`items`, `esc kv store`). */
export interface KvItem {
  key: string;
  value: string;
  /** Absolute expiry in Unix milliseconds, or null. */
  expiresAt: number | null;
}
