/** Options of an inter-process lock file. */
export interface FileLockOptions {
  /** A lock untouched for this long belongs to a crashed process and is taken over (proper-lockfile, ≥ 2000). */
  staleMs: number;
  /** Give up waiting after roughly this long. */
  waitMs: number;
}

export type ReleaseLock = () => Promise<void>;

/**
 * The inter-process write lock that kv stores and topics share, from proper-lockfile: an atomic mkdir of
 * `lockPath`, refreshed while held and taken over when stale, so a process killed while holding it blocks the
 * others only for `staleMs`. Loaded lazily: read-only commands never pay for it. When the wait runs out,
 * `whenLocked(cause)` makes the error to throw (each store names itself).
 */
export async function acquireFileLock(
  target: string,
  lockPath: string,
  options: FileLockOptions,
  onCompromised: (err: Error) => void,
  whenLocked: (cause: unknown) => Error,
): Promise<ReleaseLock> {
  const { default: lockfile } = await import('proper-lockfile');
  // Short backoff (1 ms growing to 20 ms): a holder keeps the lock for one append and one fsync (or one group of
  // appends), and a long sleep would leave the lock idle while every waiter dozes.
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
    if ((err as NodeJS.ErrnoException).code === 'ELOCKED') throw whenLocked(err);
    throw err;
  }
}
