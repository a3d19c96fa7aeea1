import { randomBytes } from 'node:crypto';
import { closeSync, fsyncSync, linkSync, openSync, readFileSync, readdirSync, unlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { EscError, ExitCode, FileAccessError, isErrno } from '@esc/core';
import { removeQuietly } from './remove-quietly.js';

/** A second open of a directory another live process (or this one) already owns. */
export class EngineLockedError extends EscError {
  constructor(
    readonly dir: string,
    readonly holderPid: number,
  ) {
    super(
      `database is locked by process ${holderPid}${holderPid === process.pid ? ' (this process)' : ''}`,
      { path: join(dir, LOCK_FILE) },
      ExitCode.Error,
    );
  }
}

const LOCK_FILE = 'LOCK';

/** Directories this process holds, so a second open() in the same process fails like one from another. */
const heldHere = new Set<string>();

export interface DirLock {
  readonly path: string;
  /** The pid of a dead holder whose lock was taken over, if any. */
  readonly recoveredFrom: number | null;
  release(): void;
}

/**
 * Takes the LOCK file of `dir`, as LevelDB does, but with the holder's pid (and its start time, so a
 * recycled pid is not mistaken for the holder) written inside. Node has no flock(2), so ownership is a
 * file whose existence is the lock:
 *
 * - Creation is one link(2) of a complete, synced temporary file onto LOCK: it fails with EEXIST if LOCK
 *   exists, so exactly one contender wins and nobody ever sees a LOCK without its holder's line.
 * - If LOCK exists and its holder is alive, open fails at once with EngineLockedError naming the pid.
 * - If its holder is gone (killed), the stale LOCK is removed only under a second O_EXCL file,
 *   LOCK.takeover, after reading LOCK again: two contenders can no longer both judge the same stale LOCK
 *   and then one delete the lock the other has just taken.
 */
export function acquireDirLock(dir: string): DirLock {
  const path = join(dir, LOCK_FILE);
  if (heldHere.has(path)) throw new EngineLockedError(dir, process.pid);
  const line = `${process.pid} ${processStart(process.pid) ?? 0}\n`;
  const tmp = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  writeSyncedFile(tmp, line);
  let recoveredFrom: number | null = null;
  try {
    for (let attempt = 0; attempt < 200; attempt++) {
      try {
        linkSync(tmp, path);
      } catch (err) {
        if (!isErrno(err, 'EEXIST')) throw new FileAccessError(path, err);
        const holder = readHolder(path);
        if (holder === null) continue; // released meanwhile: try again
        if (holder.pid !== process.pid && isRunning(holder.pid, holder.start))
          throw new EngineLockedError(dir, holder.pid);
        if (removeStaleLock(path, tmp, holder)) recoveredFrom = holder.pid;
        continue;
      }
      heldHere.add(path);
      removeDeadTemporaries(dir);
      let released = false;
      return {
        path,
        recoveredFrom,
        release() {
          if (released) return;
          released = true;
          heldHere.delete(path);
          removeQuietly(path);
        },
      };
    }
  } finally {
    removeQuietly(tmp);
  }
  const holder = readHolder(path);
  throw new EngineLockedError(dir, holder?.pid ?? 0);
}

/**
 * acquireDirLock, waiting while another live process holds the lock: retried every 20–70 ms (jittered, so
 * queued contenders do not retry in step) until `timeoutMs` has passed, then the same EngineLockedError.
 * Scripts that start several writers at once queue instead of failing, as `esc kv` does. A lock this process
 * holds itself fails at once: waiting for it could only wait for the timeout.
 */
export async function acquireDirLockWaiting(dir: string, timeoutMs: number): Promise<DirLock> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return acquireDirLock(dir);
    } catch (err) {
      if (!(err instanceof EngineLockedError) || err.holderPid === process.pid) throw err;
      const left = deadline - Date.now();
      if (left <= 0) throw err;
      await new Promise((r) => setTimeout(r, Math.min(left, 20 + Math.random() * 50)));
    }
  }
}

/**
 * Removes LOCK if it still holds `stale`, the line of a holder found dead, while holding LOCK.takeover
 * (made, like LOCK, by linking `ourLine`, this contender's complete temporary lock file).
 * Returns whether it did; false also when another contender is taking over (the caller retries and
 * finds that contender's live lock). A takeover file whose own writer died is removed: its writer was
 * killed in the few microseconds between taking it and letting it go.
 */
function removeStaleLock(path: string, ourLine: string, stale: { pid: number; start: number }): boolean {
  const guard = `${path}.takeover`;
  try {
    linkSync(ourLine, guard); // complete from the start, like LOCK itself
  } catch (err) {
    if (!isErrno(err, 'EEXIST')) throw new FileAccessError(guard, err);
    const other = readHolder(guard);
    if (other !== null && !isRunning(other.pid, other.start)) removeQuietly(guard);
    else pause(1);
    return false;
  }
  try {
    const now = readHolder(path);
    if (now === null || now.pid !== stale.pid || now.start !== stale.start) return false;
    unlinkSync(path);
    return true;
  } finally {
    removeQuietly(guard);
  }
}

/** Temporary lock files left by contenders that were killed before they could remove them. */
function removeDeadTemporaries(dir: string): void {
  for (const f of readdirSync(dir)) {
    const m = /^LOCK\.(\d+)\.[0-9a-f]+\.tmp$/.exec(f);
    if (m && Number(m[1]) !== process.pid && !isRunning(Number(m[1]), 0)) removeQuietly(join(dir, f));
  }
}

function writeSyncedFile(path: string, text: string): void {
  const fd = openSync(path, 'wx', 0o644);
  try {
    writeSync(fd, text);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

const sleeper = new Int32Array(new SharedArrayBuffer(4));
function pause(ms: number): void {
  Atomics.wait(sleeper, 0, 0, ms);
}

function readHolder(path: string): { pid: number; start: number } | null {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return null;
  }
  const m = /^(\d+) (\d+)\n$/.exec(text);
  // Without a complete line: written by an older version torn by a crash (a LOCK made by link is always
  // complete), so its writer is gone.
  if (!m) return { pid: 0, start: 0 };
  return { pid: Number(m[1]), start: Number(m[2]) };
}

function isRunning(pid: number, start: number): boolean {
  if (pid <= 0) return false;
  try {
    process.kill(pid, 0);
  } catch (err) {
    return isErrno(err, 'EPERM');
  }
  const info = procStat(pid);
  if (info === null) return true;
  // A killed process that its parent has not reaped yet is a zombie: it holds nothing any more.
  if (info.state === 'Z' || info.state === 'X') return false;
  return start === 0 || info.start === start;
}

function processStart(pid: number): number | null {
  return procStat(pid)?.start ?? null;
}

/** State letter and start time (clock ticks since boot) of a process from Linux /proc; null elsewhere. */
function procStat(pid: number): { state: string; start: number } | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const start = Number(fields[19]);
    return { state: fields[0] ?? '', start: Number.isFinite(start) ? start : 0 };
  } catch {
    return null;
  }
}
