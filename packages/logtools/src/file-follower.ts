import { closeSync, fstatSync, openSync, readSync, statSync, watch, type FSWatcher, type Stats } from 'node:fs';
import { dirname } from 'node:path';
import { describeFsError, EscError, ExitCode, FileAccessError } from '@esc/core';
import type { HeaderPrinter } from './file-headers.js';
import type { LogtailOptions, TailedInput, TailSink } from './logtail-options.js';

const READ_BLOCK = 256 * 1024;

/** One followed file. */
interface Target {
  path: string;
  name: string;
  /** Follows the name (reopens after rotation); false for -f and for standard input. */
  byName: boolean;
  fd: number | null;
  dev: number;
  ino: number;
  /** Offset of the next byte to read. */
  position: number;
  /** An unfinished last line, held back until its newline arrives. */
  held: Buffer[];
  heldBytes: number;
  /** Already reported as inaccessible (so the message is printed once, and "has appeared" follows). */
  missing: boolean;
}

/**
 * Follows files after their tail was printed, as `tail -f`/`tail -F` do: a change notification (fs.watch on
 * each file's directory) or, failing that, the poll every `sleepSeconds` triggers a pass that prints whole
 * new lines and flushes. Notices match GNU tail's wording: "file truncated" (reprinted from the start),
 * "has been replaced;  following new file" (the old file is read to its end first), "has become
 * inaccessible", "has appeared". Ends when `pid` has exited (after one last pass), on `signal`, or when
 * nothing is left to follow.
 */
export async function followFiles(
  inputs: TailedInput[],
  options: LogtailOptions,
  sink: TailSink,
  headers: HeaderPrinter,
): Promise<number> {
  const byName = options.follow === 'name';
  const retry = options.retry ?? byName;
  const out = sink.out;
  let status: number = ExitCode.Ok;
  const targets: Target[] = [];
  for (const input of inputs) {
    const source = input.source;
    const isStdin = input.path === '-';
    if (source !== null && !source.isRegularFile) {
      // A pipe was read to its end already; a FIFO or device is not followed (see docs/logtools.md).
      source.close();
      continue;
    }
    if (source === null && (!retry || isStdin)) continue;
    const st = source !== null ? fstatSync(source.fd) : null;
    targets.push({
      path: input.path,
      name: input.displayName,
      byName: byName && !isStdin,
      fd: source?.fd ?? null,
      dev: st?.dev ?? -1,
      ino: st?.ino ?? -1,
      position: input.position,
      held: [],
      heldBytes: 0,
      missing: source === null,
    });
  }
  if (targets.length === 0) {
    return inputs.some((i) => i.source === null) ? noFilesRemaining(sink) : ExitCode.Ok;
  }

  const block = Buffer.allocUnsafe(READ_BLOCK);

  const hold = (t: Target, data: Buffer) => {
    t.held.push(Buffer.from(data));
    t.heldBytes += data.length;
  };
  const flushHeld = (t: Target, terminate: boolean) => {
    if (t.heldBytes === 0) return;
    headers.switchTo(t.name, t.path);
    for (const piece of t.held) out.write(piece);
    if (terminate) out.write('\n');
    t.held = [];
    t.heldBytes = 0;
  };
  const emit = (t: Target, data: Buffer) => {
    const lastNl = data.lastIndexOf(10);
    if (lastNl === -1) return hold(t, data);
    headers.switchTo(t.name, t.path);
    flushHeld(t, false);
    out.writeRange(data, 0, lastNl + 1);
    if (lastNl + 1 < data.length) hold(t, data.subarray(lastNl + 1));
  };
  const readToEnd = (t: Target) => {
    for (;;) {
      const n = readSync(t.fd!, block, 0, block.length, t.position);
      if (n === 0) return;
      t.position += n;
      emit(t, block.subarray(0, n));
    }
  };
  const closeTarget = (t: Target) => {
    if (t.fd !== null && t.fd !== 0) closeSync(t.fd);
    t.fd = null;
  };
  const readAppended = (t: Target) => {
    const st = fstatSync(t.fd!);
    if (st.isFile() && st.size < t.position) {
      sink.notice(`${t.name}: file truncated`);
      // A line cut short by the truncation will never be finished: print what there was of it.
      flushHeld(t, true);
      t.position = 0;
    }
    readToEnd(t);
  };
  const open = (t: Target): boolean => {
    let fd: number;
    try {
      fd = openSync(t.path, 'r');
    } catch (err) {
      if (!t.missing) sink.notice(`'${t.name}' has become inaccessible: ${describeFsError(err)}`);
      t.missing = true;
      return false;
    }
    const st = fstatSync(fd);
    if (!st.isFile()) {
      closeSync(fd);
      if (!t.missing) sink.notice(`'${t.name}' has been replaced with an untailable file`);
      t.missing = true;
      return false;
    }
    t.fd = fd;
    t.dev = st.dev;
    t.ino = st.ino;
    t.position = 0;
    return true;
  };
  const checkByName = (t: Target) => {
    let st: Stats;
    try {
      st = statSync(t.path);
    } catch (err) {
      if (t.fd !== null) {
        readToEnd(t);
        closeTarget(t);
        flushHeld(t, true);
      }
      if (!t.missing) sink.notice(`'${t.name}' has become inaccessible: ${describeFsError(err)}`);
      t.missing = true;
      return;
    }
    if (t.fd === null || st.dev !== t.dev || st.ino !== t.ino) {
      const replaced = t.fd !== null;
      if (replaced) {
        // Lines written to the old file before the rotation come first, and exactly once.
        readToEnd(t);
        closeTarget(t);
        flushHeld(t, true);
      }
      const wasMissing = t.missing;
      if (!open(t)) return;
      t.missing = false;
      sink.notice(`'${t.name}' ${replaced && !wasMissing ? 'has been replaced' : 'has appeared'};  following new file`);
    }
    readAppended(t);
  };
  const check = (t: Target) => {
    try {
      if (t.byName) checkByName(t);
      else if (t.fd !== null) readAppended(t);
      else if (open(t)) {
        t.missing = false;
        sink.notice(`'${t.name}' has appeared;  following new file`);
        readAppended(t);
      }
    } catch (err) {
      if (err instanceof EscError) throw err; // a closed output pipe ends everything
      sink.report(new FileAccessError(t.path, err));
      status = ExitCode.Error;
      closeTarget(t);
      t.missing = true;
      if (!t.byName && !retry) targets.splice(targets.indexOf(t), 1);
    }
  };

  // Change notifications wake the loop early; the timer is the polling fallback (and paces --pid checks).
  let wake: (() => void) | null = null;
  let changed = false;
  const notify = () => {
    if (wake) wake();
    else changed = true;
  };
  const watchers: FSWatcher[] = [];
  for (const dir of new Set(targets.filter((t) => t.path !== '-').map((t) => dirname(t.path)))) {
    try {
      const w = watch(dir, { persistent: false }, notify);
      w.on('error', () => w.close());
      watchers.push(w);
    } catch {
      /* no inotify (or the directory is gone): polling alone */
    }
  }
  const sleepMs = Math.max(0, (options.sleepSeconds ?? 1) * 1000);
  const signal = options.signal;
  const onAbort = () => notify();
  signal?.addEventListener('abort', onAbort);
  const waitForChange = () =>
    new Promise<void>((resolve) => {
      if (changed || signal?.aborted) {
        changed = false;
        resolve();
        return;
      }
      const timer = setTimeout(done, sleepMs);
      function done() {
        clearTimeout(timer);
        wake = null;
        changed = false;
        resolve();
      }
      wake = done;
    });

  try {
    for (;;) {
      const ownerGone = options.pid !== undefined && !isAlive(options.pid);
      for (const t of [...targets]) check(t);
      out.flush();
      if (ownerGone || signal?.aborted) break;
      if (targets.length === 0 || (!retry && targets.every((t) => t.fd === null))) {
        status = Math.max(status, noFilesRemaining(sink));
        break;
      }
      await waitForChange();
    }
    // What the files hold is printed, even a last line still without its newline.
    for (const t of targets) flushHeld(t, false);
    out.flush();
  } finally {
    signal?.removeEventListener('abort', onAbort);
    for (const w of watchers) w.close();
    for (const t of targets) closeTarget(t);
  }
  return status;
}

function noFilesRemaining(sink: TailSink): number {
  sink.report(new EscError('no files remaining'));
  return ExitCode.Error;
}

/** Whether a process exists (EPERM: it does, but belongs to someone else). */
function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
