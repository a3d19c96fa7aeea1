import { EscError, ExitCode } from '@esc/core';

/** The store is held by another process for longer than we are willing to wait. */
export class StoreLockedError extends EscError {
  constructor(lockPath: string, cause: unknown) {
    super('store is locked by another process and the lock did not come free in time', { path: lockPath }, ExitCode.Error, { cause });
  }
}

export interface StoreLockOptions {
  /** A lock untouched for this long belongs to a crashed process and is taken over (proper-lockfile, ≥ 2000). */
  staleMs: number;
  /** Give up waiting after roughly this long. */
  waitMs: number;
}

export type ReleaseLock = () => Promise<void>;

/**
 * The inter-process lock around every read-apply-append step, from proper-lockfile: an atomic mkdir of
 * `<store>.lock`, refreshed while held, and taken over when stale, so a process killed while holding it
 * blocks others only for `staleMs`. Loaded lazily: read-only commands never pay for it.
 */
export async function acquireStoreLock(target: string, lockPath: string, options: StoreLockOptions, onCompromised: (err: Error) => void): Promise<ReleaseLock> {
  const { default: lockfile } = await import('proper-lockfile');
  // Backoff from 2 ms to 50 ms: holders keep the lock for a few milliseconds (one append and one fsync).
  const retries = Math.max(1, Math.ceil(options.waitMs / 25));
  try {
    return await lockfile.lock(target, {
      lockfilePath: lockPath,
      realpath: false,
      stale: options.staleMs,
      retries: { retries, minTimeout: 2, maxTimeout: 50, factor: 1.5, randomize: true },
      onCompromised,
    });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ELOCKED') throw new StoreLockedError(lockPath, err);
    throw err;
  }
}
