import { acquireFileLock, EscError, ExitCode, type FileLockOptions, type ReleaseLock } from '@esc/core';

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

export type TopicLockOptions = FileLockOptions;
export type { ReleaseLock };

/**
 * A topic's write lock (`<topic>/.lock`), the same inter-process lock as @esc/kv's (core's acquireFileLock):
 * a producer killed while holding it blocks the others only for `staleMs`.
 */
export function acquireTopicLock(
  topicDir: string,
  lockPath: string,
  options: TopicLockOptions,
  onCompromised: (err: Error) => void,
): Promise<ReleaseLock> {
  return acquireFileLock(topicDir, lockPath, options, onCompromised, (cause) => new TopicLockedError(lockPath, cause));
}
