import { BufferedOutput, UsageError } from '@esc/core';
import { logread, parseCount, type HeaderMode } from '@esc/logtools';
import { printError } from '../error-reporter.js';
import { newCommand, runAction, type Command } from '../command-kit.js';

interface LogreadFlags {
  lines?: string;
  all?: boolean;
  quiet?: boolean;
  silent?: boolean;
  verbose?: boolean;
}

export function createCommand(): Command {
  return newCommand('logread', 'print the first lines of each FILE (10 by default), or whole files with --all')
    .argument('[files...]', "files to read; '-' or none reads standard input")
    .option('-n, --lines <N>', 'print the first N lines (K, M, G suffixes as in head)')
    .option('-a, --all', 'print every line (streamed)')
    .option('-q, --quiet', 'never print ==> name <== headers')
    .option('--silent', 'same as --quiet')
    .option('-v, --verbose', 'always print headers')
    .action(
      runAction(async (files: string[], flags: LogreadFlags) => {
        const obsolete = obsoleteCount(files);
        if (obsolete !== undefined && flags.lines === undefined && !flags.all) {
          flags.lines = obsolete;
          files = files.slice(1);
        }
        if (flags.all && flags.lines !== undefined) throw new UsageError('-n and --all cannot be used together');
        let lines: number | null = 10;
        if (flags.all) lines = null;
        else if (flags.lines !== undefined) {
          const count = parseCount(flags.lines, '-n');
          if (/^\s*-/.test(flags.lines))
            throw new UsageError(`-n ${flags.lines}: all-but-the-last-N is not supported (use logtail)`);
          lines = count.value;
        }
        useBlockingStdio();
        return logread(
          files,
          { lines, headers: headerMode(flags) },
          { out: new BufferedOutput(1), report: (err) => printError(err.describe()) },
        );
      }),
    );
}

/**
 * The obsolete `head -5` / `tail -5` form: commander passes `-5` through as an operand (it looks like a
 * negative number), so a first operand of a dash and digits is taken as the line count, as GNU does.
 */
export function obsoleteCount(operands: string[]): string | undefined {
  const first = operands[0];
  return first !== undefined && /^-\d+$/.test(first) ? first.slice(1) : undefined;
}

/** -q/--silent never, -v always, else several files. Given together, -q wins (GNU: the last one given). */
export function headerMode(flags: { quiet?: boolean; silent?: boolean; verbose?: boolean }): HeaderMode {
  if (flags.quiet || flags.silent) return 'never';
  if (flags.verbose) return 'always';
  return 'auto';
}

/**
 * Puts piped stdin and stdout back into blocking mode. Importing `node:process` as an ES module (chalk does,
 * through @esc/core) evaluates every getter of `process`, creating process.stdin and process.stdout; on a
 * pipe libuv then switches the descriptor to non-blocking, and BufferedOutput's writeSync and line-source's
 * reads spin on EAGAIN (measured: about 80 one-millisecond waits per 128 MiB written). Blocking descriptors
 * are what head and tail use. `_handle.setBlocking` is the call Node itself makes for TTYs; where it is
 * missing nothing changes.
 */
export function useBlockingStdio(): void {
  for (const stream of [process.stdin, process.stdout] as unknown as {
    _handle?: { setBlocking?: (on: boolean) => number };
  }[]) {
    stream._handle?.setBlocking?.(true);
  }
}
