import { statSync, utimesSync, writeFileSync } from 'node:fs';
import { acquireFileLock, EscError, ExitCode, type FileLockOptions, isErrno, type ReleaseLock } from '@esc/core';

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

/** How often a process waiting for a lock touches its wanted file (lockWantedPath). */
const WANTED_TOUCH_MS = 5;
/** When it starts to: later than an uncontended acquisition takes (the first one loads proper-lockfile). */
const WANTED_AFTER_MS = 25;

/**
 * The file a process waiting for `lockPath` touches while it waits, so that the holder knows to let go at the
 * end of its lease; while nobody waits, a writer keeps the lock without a round trip (TopicWriter).
 */
function lockWantedPath(lockPath: string): string {
  return `${lockPath}-wanted`;
}

/**
 * Acquisitions of each lock under way in this process: asked directly, since a waiter here touches its file
 * only when the holder lets the event loop turn.
 */
const waitingHere = new Map<string, number>();

/**
 * The time this process last set on each wanted file (touch() sets it exactly): a holder that waited for the
 * lock itself would else take its own touches for a waiter, and hand the lock over to nobody, lease after
 * lease (each a lock round trip) until they aged out.
 */
const ownTouches = new Map<string, number>();

/**
 * Whether someone waits for `lockPath`: an acquisition under way in this process, or another process that
 * touched the wanted file within the last `withinMs` (one stat; a missing file is nobody waiting).
 */
export function lockWanted(lockPath: string, withinMs: number): boolean {
  if (waitingHere.has(lockPath)) return true;
  const wanted = lockWantedPath(lockPath);
  const st = statSync(wanted, { throwIfNoEntry: false });
  if (st === undefined || st.mtimeMs < Date.now() - withinMs) return false;
  const own = ownTouches.get(wanted);
  return own === undefined || st.mtimeMs > own;
}

/**
 * A topic's write lock (`<topic>/.lock`), the same inter-process lock as @esc/kv's (core's acquireFileLock):
 * a producer killed while holding it blocks the others only for `staleMs`. While the lock is not free at once,
 * the wanted file is touched every few milliseconds (an uncontended acquisition ends before the first touch).
 */
export async function acquireTopicLock(
  topicDir: string,
  lockPath: string,
  options: TopicLockOptions,
  onCompromised: (err: Error) => void,
): Promise<ReleaseLock> {
  const wanted = lockWantedPath(lockPath);
  waitingHere.set(lockPath, (waitingHere.get(lockPath) ?? 0) + 1);
  let timer: NodeJS.Timeout = setTimeout(() => {
    touch(wanted);
    timer = setInterval(() => touch(wanted), WANTED_TOUCH_MS);
  }, WANTED_AFTER_MS);
  try {
    return await acquireFileLock(
      topicDir,
      lockPath,
      options,
      onCompromised,
      (cause) => new TopicLockedError(lockPath, cause),
    );
  } finally {
    clearTimeout(timer);
    const n = waitingHere.get(lockPath)! - 1;
    if (n === 0) waitingHere.delete(lockPath);
    else waitingHere.set(lockPath, n);
  }
}

/** Sets the file's times to now, creating it if needed; a failure (the topic deleted meanwhile) is ignored. */
function touch(path: string): void {
  const now = new Date();
  try {
    utimesSync(path, now, now);
    ownTouches.set(path, now.getTime());
  } catch (err) {
    if (!isErrno(err, 'ENOENT')) return;
    try {
      writeFileSync(path, '');
      // Created with the kernel's time, at most now.
      ownTouches.set(path, Date.now());
    } catch {
      // The topic's directory is gone: the acquisition fails on its own.
    }
  }
}
