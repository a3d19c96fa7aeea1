import { acquireFileLock, EscError, ExitCode, type FileLockOptions, type ReleaseLock } from '@esc/core';

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

export type StoreLockOptions = FileLockOptions;
export type { ReleaseLock };

/** The lock around every read-apply-append step of a store (`<store>.lock`); see core's acquireFileLock. */
export function acquireStoreLock(
  target: string,
  lockPath: string,
  options: StoreLockOptions,
  onCompromised: (err: Error) => void,
): Promise<ReleaseLock> {
  return acquireFileLock(target, lockPath, options, onCompromised, (cause) => new StoreLockedError(lockPath, cause));
}
