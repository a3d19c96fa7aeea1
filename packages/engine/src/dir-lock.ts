import { closeSync, openSync, readFileSync, renameSync, unlinkSync, writeSync, fsyncSync } from 'node:fs';
import { join } from 'node:path';
import { EscError, ExitCode, FileAccessError, isErrno } from '@esc/core';

/** A second open of a directory another live process (or this one) already owns. */
export class EngineLockedError extends EscError {
  constructor(
    readonly dir: string,
    readonly holderPid: number,
  ) {
    super(`database is locked by process ${holderPid}${holderPid === process.pid ? ' (this process)' : ''}`, { path: join(dir, LOCK_FILE) }, ExitCode.Error);
  }
}

export const LOCK_FILE = 'LOCK';

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
 * recycled pid is not mistaken for the holder) written inside. The file is created with O_EXCL; if it
 * exists and its holder is still running, open fails at once with EngineLockedError naming the pid. If the
 * holder is gone (killed), the stale file is moved aside by rename, which only one contender can win, and
 * creation is retried.
 */
export function acquireDirLock(dir: string): DirLock {
  const path = join(dir, LOCK_FILE);
  if (heldHere.has(path)) throw new EngineLockedError(dir, process.pid);
  let recoveredFrom: number | null = null;
  for (let attempt = 0; attempt < 5; attempt++) {
    let fd: number;
    try {
      fd = openSync(path, 'wx', 0o644);
    } catch (err) {
      if (!isErrno(err, 'EEXIST')) throw new FileAccessError(path, err);
      const holder = readHolder(path);
      if (holder === null) continue; // vanished meanwhile, or a holder still writing it: try again
      if (holder.pid !== process.pid && isRunning(holder.pid, holder.start)) throw new EngineLockedError(dir, holder.pid);
      const aside = `${path}.stale.${process.pid}.${attempt}`;
      try {
        renameSync(path, aside);
        unlinkSync(aside);
      } catch {
        /* another contender moved it first */
      }
      recoveredFrom = holder.pid;
      continue;
    }
    try {
      writeSync(fd, `${process.pid} ${processStart(process.pid) ?? 0}\n`);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    heldHere.add(path);
    let released = false;
    return {
      path,
      recoveredFrom,
      release() {
        if (released) return;
        released = true;
        heldHere.delete(path);
        try {
          unlinkSync(path);
        } catch {
          /* nothing to release */
        }
      },
    };
  }
  const holder = readHolder(path);
  throw new EngineLockedError(dir, holder?.pid ?? 0);
}

function readHolder(path: string): { pid: number; start: number } | null {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return null;
  }
  const m = /^(\d+) (\d+)\n$/.exec(text);
  // A lock file without a complete line was torn by a crash while being created: its writer is gone.
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
