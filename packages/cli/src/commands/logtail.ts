import { BufferedOutput, UsageError } from '@esc/core';
import { logtail, parseCount, type FollowMode, type TailCount } from '@esc/logtools';
import { printError } from '../error-reporter.js';
import { newCommand, runAction, type Command } from '../command-kit.js';
import { headerMode, obsoleteCount, useBlockingStdio } from './logread.js';

interface LogtailFlags {
  lines?: string;
  bytes?: string;
  follow?: boolean;
  F?: boolean;
  retry?: boolean;
  pid?: string;
  sleepInterval?: string;
  quiet?: boolean;
  silent?: boolean;
  verbose?: boolean;
}

export function createCommand(): Command {
  return newCommand('logtail', 'print the last lines of each FILE (10 by default), reading from the end; -f/-F follow')
    .usage('[options] [FILE [N] | FILE...]')
    .argument('[files...]', "files to read; '-' or none reads standard input; 'FILE N' prints the last N lines")
    .option('-n, --lines <N>', 'the last N lines, or +N: from line N on (K, M, G suffixes)')
    .option('-c, --bytes <N>', 'the last N bytes, or +N: from byte N on (K, M, G suffixes)')
    .option('-f, --follow', 'keep printing lines appended to the file (follows the open file)')
    .option(
      '-F',
      'follow the name: reopen after rotation or truncation, retry while missing (GNU tail --follow=name --retry)',
    )
    .option('--retry', 'keep trying to open a file that is missing or inaccessible')
    .option('--pid <PID>', 'with -f/-F, stop once process PID has exited')
    .option(
      '-s, --sleep-interval <S>',
      'with -f/-F, seconds between checks when no change notification comes (default 1)',
    )
    .option('-q, --quiet', 'never print ==> name <== headers')
    .option('--silent', 'same as --quiet')
    .option('-v, --verbose', 'always print headers')
    .action(
      runAction(async (positional: string[], flags: LogtailFlags) => {
        if (flags.lines !== undefined && flags.bytes !== undefined)
          throw new UsageError('-n and -c cannot be used together');
        let files = positional;
        let count: TailCount = { value: 10, fromStart: false };
        let unit: 'lines' | 'bytes' = 'lines';
        const obsolete = obsoleteCount(files);
        if (obsolete !== undefined && flags.lines === undefined && flags.bytes === undefined) {
          flags.lines = obsolete;
          files = files.slice(1);
        }
        if (flags.bytes !== undefined) {
          count = parseCount(flags.bytes, '-c');
          unit = 'bytes';
        } else if (flags.lines !== undefined) {
          count = parseCount(flags.lines, '-n');
        } else if (positional.length === 2 && /^\+?\d+$/.test(positional[1]!)) {
          // The original tool's form `logtail FILE N` (name a file called "5" as ./5).
          count = parseCount(positional[1]!, 'N');
          files = [positional[0]!];
        }
        useBlockingStdio();
        const follow: FollowMode | undefined = flags.F ? 'name' : flags.follow ? 'descriptor' : undefined;
        let pid: number | undefined;
        if (flags.pid !== undefined) {
          if (!/^\d+$/.test(flags.pid)) throw new UsageError(`--pid: invalid PID '${flags.pid}'`);
          pid = Number(flags.pid);
          if (follow === undefined) printError('warning: PID ignored; --pid=PID is useful only when following');
        }
        let sleepSeconds: number | undefined;
        if (flags.sleepInterval !== undefined) {
          if (!/^\d+(\.\d*)?$|^\.\d+$/.test(flags.sleepInterval))
            throw new UsageError(`-s: invalid number of seconds '${flags.sleepInterval}'`);
          sleepSeconds = Number(flags.sleepInterval);
        }
        return logtail(
          files,
          { count, unit, headers: headerMode(flags), follow, retry: flags.F || flags.retry, pid, sleepSeconds },
          {
            out: new BufferedOutput(1),
            report: (err) => printError(err.describe()),
            notice: (message) => printError(message),
          },
        );
      }),
    );
}
