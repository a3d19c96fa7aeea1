import { KvUsageError } from './kv-errors.js';
import type { KvEntry } from './kv-entry.js';

/** How `set` treats the expiry (Redis SET's EX/PX/EXAT/PXAT/KEEPTTL; at most one). */
export interface SetExpiryOptions {
  /** Seconds from now (> 0). */
  ex?: number;
  /** Milliseconds from now (> 0). */
  px?: number;
  /** Absolute Unix time in seconds (> 0); in the past deletes the key. */
  exat?: number;
  /** Absolute Unix time in milliseconds (> 0); in the past deletes the key. */
  pxat?: number;
  /** Keep the key's current expiry (a plain set clears it). */
  keepttl?: boolean;
}

/** EXPIRE's conditions (Redis 7): NX no expiry yet; XX has one; GT/LT new one greater/less (none = infinite). */
export type ExpireCondition = 'nx' | 'xx' | 'gt' | 'lt';

/** The absolute expiry `set` asks for: a time in ms, null for none, or 'keep'. Conflicting options throw. */
export function resolveSetExpiry(options: SetExpiryOptions, now: number): number | null | 'keep' {
  const given = (['ex', 'px', 'exat', 'pxat'] as const).filter((k) => options[k] !== undefined);
  if (given.length + (options.keepttl ? 1 : 0) > 1) {
    throw new KvUsageError(
      `${[...given, ...(options.keepttl ? ['keepttl'] : [])].join(' and ')} cannot be combined (syntax error)`,
    );
  }
  if (options.keepttl) return 'keep';
  const kind = given[0];
  if (kind === undefined) return null;
  const amount = options[kind]!;
  if (!Number.isSafeInteger(amount) || amount <= 0)
    throw new KvUsageError(`invalid expire time '${amount}' (a positive integer)`);
  switch (kind) {
    case 'ex':
      return now + amount * 1000;
    case 'px':
      return now + amount;
    case 'exat':
      return amount * 1000;
    case 'pxat':
      return amount;
  }
}

/** Checks EXPIRE's condition flags for conflicts (NX with any other, GT with LT), as Redis does. */
export function checkExpireConditions(conditions: readonly ExpireCondition[]): void {
  const has = (c: ExpireCondition) => conditions.includes(c);
  if (has('nx') && conditions.length > 1)
    throw new KvUsageError('NX and XX, GT or LT options at the same time are not compatible');
  if (has('gt') && has('lt')) throw new KvUsageError('GT and LT options at the same time are not compatible');
}

/** Whether EXPIRE may replace `current` expiry (null = none, which GT/LT treat as infinite) with `next`. */
export function expireAllowed(conditions: readonly ExpireCondition[], current: number | null, next: number): boolean {
  for (const c of conditions) {
    if (c === 'nx' && current !== null) return false;
    if (c === 'xx' && current === null) return false;
    if (c === 'gt' && (current === null || next <= current)) return false;
    if (c === 'lt' && current !== null && next >= current) return false;
  }
  return true;
}

/** Redis TTL/PTTL: -2 when the key is missing (or expired), -1 when it has no expiry, else the time left. */
export function remainingTtl(entry: KvEntry | undefined, now: number, unit: 'ms' | 's'): number {
  if (entry === undefined) return -2;
  if (entry.expiresAt === null) return -1;
  const ms = Math.max(0, entry.expiresAt - now);
  // Redis rounds TTL to the nearest second.
  return unit === 'ms' ? ms : Math.floor((ms + 500) / 1000);
}
