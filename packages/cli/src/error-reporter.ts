import { BrokenPipeError, EscError, ExitCode, UsageError } from '@esc/core';

/**
 * The one place where a failure becomes a line on stderr and an exit code. EscError carries both; a broken
 * pipe (`esc … | head`) is a normal end and prints nothing; anything else is a bug and says so.
 */
export function exitCodeFor(err: unknown): number {
  if (err instanceof BrokenPipeError || (err as NodeJS.ErrnoException)?.code === 'EPIPE') return ExitCode.Ok;
  if (err instanceof EscError) {
    printError(err.describe());
    return err.exitCode;
  }
  const message = err instanceof Error ? err.message : String(err);
  printError(`internal error: ${message}`);
  if (process.env.ESC_DEBUG && err instanceof Error && err.stack) process.stderr.write(`${err.stack}\n`);
  return ExitCode.Error;
}

export function printError(message: string): void {
  try {
    process.stderr.write(`esc: ${message}\n`);
  } catch {
    /* stderr closed too: nothing left to tell */
  }
}

/**
 * Names the command in a usage error that its action threw: a library words its errors without knowing which
 * command called it (`NX and XX cannot be combined`), and the CLI prints `esc: kv set: NX and XX …`, as it
 * does for commander's own usage errors. `path` is the command's path below `esc` (`kv set`).
 */
export function nameCommandInError(err: unknown, path: string): unknown {
  if (err instanceof UsageError) err.message = `${path}: ${err.message}`;
  return err;
}

/** One `esc: warning: …` line on stderr: something was repaired or is worth knowing; the command goes on. */
export function printWarning(message: string): void {
  printError(`warning: ${message}`);
}
