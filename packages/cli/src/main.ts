import { readFileSync, writeSync } from 'node:fs';

function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

/** `--version` without process.stdout (see guardStdout); a reader that went away is not an error. */
function printVersion(): number {
  try {
    writeSync(1, `${version()}\n`);
    return 0;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPIPE' ? 0 : 2;
  }
}

// Start-up time: only node:fs loads before the first argument is read, so `esc --version` loads no library
// (chalk alone costs ~15 ms of CPU); every other path then loads core, the registry and the chosen command.
if (process.argv[2] === '--version' || process.argv[2] === '-V') process.exit(printVersion());
// `esc kv get KEY` and the other plain reads run without commander (see commands/kv-reads.ts).
if (process.argv[2] === 'kv') {
  const { runPlainKvRead } = await import('./commands/kv-reads.js');
  const code = await runPlainKvRead(process.argv.slice(3));
  if (code !== null) process.exit(code);
}
const [{ ExitCode }, { COMMANDS }, { exitCodeFor, printError }] = await Promise.all([
  import('@esc/core'),
  import('./command-registry.js'),
  import('./error-reporter.js'),
]);

/**
 * A reader that goes away while something prints through process.stdout (`esc --help | head -1`) is not an
 * error. Creating process.stdout costs start-up time and, on a pipe, makes fd 1 non-blocking, which turns
 * BufferedOutput's synchronous writes into EAGAIN retries; so it is created only for paths that use it.
 */
function guardStdout(): void {
  process.stdout.on('error', (err: NodeJS.ErrnoException) => process.exit(err.code === 'EPIPE' ? 0 : ExitCode.Error));
}

/** Subcommands whose output goes only through BufferedOutput (their --help still goes through commander). */
const BUFFERED_OUTPUT_ONLY = new Set(['logread', 'logtail', 'kv']);

const ROOT_HELP = () =>
  `Usage: esc <command> [options]

esc, the Event Stream Compactor: read, search, parse, analyse and compactly store log and event streams.

Commands:
${COMMANDS.map((c) => `  ${c.name.padEnd(10)} ${c.summary}`).join('\n')}

Options:
  -V, --version  print the version and exit
  -h, --help     print this help and exit

Run 'esc <command> --help' for a command's options.
Exit status: 0 success, 1 nothing found (no line selected, key missing), 2 error.
`;

async function main(argv: string[]): Promise<number> {
  const first = argv[0];
  if (first === '--version' || first === '-V') return printVersion();
  if (first === undefined || first === '--help' || first === '-h' || first === 'help') {
    if (first === 'help' && argv[1] !== undefined) return main([argv[1], '--help']);
    // Bare `esc` is a usage error, as bare `grep` is: usage on stderr, exit 2.
    if (first === undefined) {
      process.stderr.write(ROOT_HELP());
      return ExitCode.Error;
    }
    guardStdout();
    process.stdout.write(ROOT_HELP());
    return ExitCode.Ok;
  }
  const entry = COMMANDS.find((c) => c.name === first);
  if (!entry) {
    printError(`'${first}' is not an esc command (see 'esc --help')`);
    return ExitCode.Error;
  }
  if (!BUFFERED_OUTPUT_ONLY.has(entry.name) || argv.some((a) => a === '-h' || a === '--help')) guardStdout();
  const [{ createCommand }, { CommanderError }] = await Promise.all([entry.load(), import('commander')]);
  const command = createCommand();
  command.name(`esc ${entry.name}`);
  try {
    await command.parseAsync(argv.slice(1), { from: 'user' });
  } catch (err) {
    if (err instanceof CommanderError) {
      if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version') return ExitCode.Ok;
      return err.exitCode === 0 ? ExitCode.Ok : ExitCode.Error;
    }
    return exitCodeFor(err);
  }
  // Actions report their status through process.exitCode (see command-kit's runAction).
  return typeof process.exitCode === 'number' ? process.exitCode : ExitCode.Ok;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => process.exit(exitCodeFor(err)),
);
