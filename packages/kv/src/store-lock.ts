import { EscError, ExitCode } from '@esc/core';

/** The store is held by another process for longer than we are willing to wait. */
export class StoreLockedError extends EscError {
  /** @internal thrown by the store's writers */
  constructor(lockPath: string, cause: unknown) {
    super(
      'store is locked by another process and the lock did not come free in time',
      { path: lockPath },
      ExitCode.Error,
      { cause },
    );
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
export async function acquireStoreLock(
  target: string,
  lockPath: string,
  options: StoreLockOptions,
  onCompromised: (err: Error) => void,
): Promise<ReleaseLock> {
  const { default: lockfile } = await import('proper-lockfile');
  // Short backoff (1 ms growing to 20 ms): a holder keeps the lock for one append and one fsync, and a long
  // sleep would leave the lock idle while every waiter dozes.
  const retries = Math.max(1, Math.ceil(options.waitMs / 15));
  try {
    return await lockfile.lock(target, {
      lockfilePath: lockPath,
      realpath: false,
      stale: options.staleMs,
      retries: { retries, minTimeout: 1, maxTimeout: 20, factor: 1.3, randomize: true },
      onCompromised,
    });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ELOCKED') throw new StoreLockedError(lockPath, err);
    throw err;
  }
}
