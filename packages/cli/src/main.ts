import { readFileSync } from 'node:fs';
import { ExitCode } from '@esc/core';
import { COMMANDS } from './command-registry.js';
import { exitCodeFor, printError } from './error-reporter.js';

function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

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
  if (first === '--version' || first === '-V') {
    process.stdout.write(`${version()}\n`);
    return ExitCode.Ok;
  }
  if (first === undefined || first === '--help' || first === '-h' || first === 'help') {
    if (first === 'help' && argv[1] !== undefined) return main([argv[1], '--help']);
    // Bare `esc` is a usage error, as bare `grep` is: usage on stderr, exit 2.
    if (first === undefined) {
      process.stderr.write(ROOT_HELP());
      return ExitCode.Error;
    }
    process.stdout.write(ROOT_HELP());
    return ExitCode.Ok;
  }
  const entry = COMMANDS.find((c) => c.name === first);
  if (!entry) {
    printError(`'${first}' is not an esc command (see 'esc --help')`);
    return ExitCode.Error;
  }
  const { createCommand } = await entry.load();
  const { CommanderError } = await import('commander');
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

// A reader that goes away while commander prints help (`esc --help | head -1`) is not an error.
process.stdout.on('error', (err: NodeJS.ErrnoException) => process.exit(err.code === 'EPIPE' ? 0 : ExitCode.Error));

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => process.exit(exitCodeFor(err)),
);
