import type { Reply } from '../reply.js';
import { ERR, INT64_MAX, invalidExpire, parseInt64 } from './redis-args.js';

/** An absolute expiry in Unix ms, or null for none. */
export type Expiry = number | null;

/**
 * SET/GETEX's EX/PX/EXAT/PXAT argument as Redis's getExpireMillisecondsOrReply reads it: an integer > 0 that
 * stays within 64 bits once made absolute.
 */
export function parseExpiry(unit: string, arg: Buffer, now: number, command: string): { at: number } | Reply {
  const n = parseInt64(arg);
  if (n === null) return ERR.notInteger;
  let ms = BigInt(n);
  if (ms <= 0n || (unit.startsWith('ex') && ms > INT64_MAX / 1000n)) return invalidExpire(command);
  if (unit === 'ex' || unit === 'exat') ms *= 1000n;
  if (unit === 'ex' || unit === 'px') ms += BigInt(now);
  if (ms > INT64_MAX) return invalidExpire(command);
  return { at: storedExpiry(ms) };
}

/**
 * An absolute expiry as the store keeps it: an exact JavaScript number, so one past 2^53 ms (the year 287396,
 * where Redis goes on to 2^63) is kept as 2^53 - 1: still never reached, and PEXPIRETIME answers that.
 */
export function storedExpiry(ms: bigint): number {
  return ms > MAX_SAFE ? Number.MAX_SAFE_INTEGER : Number(ms);
}

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);
