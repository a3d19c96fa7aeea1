import { EscError, ExitCode } from '@esc/core';

/** The topic is held by another process for longer than we are willing to wait. */
export class TopicLockedError extends EscError {
  constructor(lockPath: string, cause: unknown) {
    super(
      'topic is locked by another process and the lock did not come free in time',
      { path: lockPath },
      ExitCode.Error,
      {
        cause,
      },
    );
  }
}

export type ReleaseLock = () => Promise<void>;

export interface TopicLockOptions {
  /** A lock untouched for this long belongs to a crashed process and is taken over (proper-lockfile, >= 2000). */
  staleMs: number;
  /** Give up waiting after roughly this long. */
  waitMs: number;
}

/**
 * A topic's write lock, as @esc/kv's store lock: proper-lockfile's atomic mkdir of `<topic>/.lock`, refreshed
 * while held and taken over when stale, so a producer killed while holding it blocks the others only for
 * `staleMs`. Waiters retry with a short backoff: a holder keeps it for one group of appends.
 */
export async function acquireTopicLock(
  topicDir: string,
  lockPath: string,
  options: TopicLockOptions,
  onCompromised: (err: Error) => void,
): Promise<ReleaseLock> {
  const { default: lockfile } = await import('proper-lockfile');
  const retries = Math.max(1, Math.ceil(options.waitMs / 15));
  try {
    return await lockfile.lock(topicDir, {
      lockfilePath: lockPath,
      realpath: false,
      stale: options.staleMs,
      retries: { retries, minTimeout: 1, maxTimeout: 20, factor: 1.3, randomize: true },
      onCompromised,
    });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ELOCKED') throw new TopicLockedError(lockPath, err);
    throw err;
  }
}
