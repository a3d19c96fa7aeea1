import { readFileSync } from 'node:fs';
import { type ColorMode, FileAccessError, shouldColor, UsageError } from '@esc/core';
import { type LoggrepOptions, parseGrepColors } from '@esc/logtools';
import { colorOption, intArg, type Command } from '../command-kit.js';

/** grep's flags, shared by `esc loggrep` and `esc archive grep`: one definition, one meaning. */
export interface GrepFlags {
  regexp: string[];
  file: string[];
  fixedStrings?: boolean;
  ignoreCase?: boolean;
  invertMatch?: boolean;
  wordRegexp?: boolean;
  lineRegexp?: boolean;
  count?: boolean;
  lineNumber?: boolean;
  onlyMatching?: boolean;
  quiet?: boolean;
  filesWithMatches?: boolean;
  filesWithoutMatch?: boolean;
  messages: boolean;
  maxCount?: number;
  afterContext?: number;
  beforeContext?: number;
  context?: number;
  text?: boolean;
  color: ColorMode;
  json?: boolean;
  stats?: boolean;
}

const collect = (value: string, previous: string[]) => [...previous, value];

/** grep's flags on `command`, with grep's `-NUM` and bare `--color` (rewritten before commander parses them). */
export function addGrepFlags(command: Command): Command {
  // parseOptions, not parseAsync: a subcommand (`esc archive grep`) is handed its arguments past parseAsync.
  const parseOptions = command.parseOptions.bind(command);
  command.parseOptions = (argv) => parseOptions(expandContextShorthand(argv));
  return command
    .option('-e, --regexp <pattern>', 'a pattern (repeatable); then every operand is a file', collect, [] as string[])
    .option(
      '-f, --file <file>',
      'read patterns from FILE, one per line (repeatable; - is standard input)',
      collect,
      [] as string[],
    )
    .option('-F, --fixed-strings', 'patterns are fixed strings, not regular expressions')
    .option(
      '-E, --extended-regexp',
      'accepted for grep compatibility (JavaScript regular expressions are already extended)',
    )
    .option('-i, --ignore-case', 'ignore ASCII case distinctions')
    .option('-v, --invert-match', 'select lines that do not match')
    .option('-w, --word-regexp', 'match only whole words')
    .option('-x, --line-regexp', 'match only whole lines')
    .option('-c, --count', 'print only a count of selected lines per file')
    .option('-n, --line-number', 'prefix each line with its line number')
    .option('-o, --only-matching', 'print only the matched parts of lines, one per line')
    .option('-q, --quiet', 'print nothing; exit 0 at the first selected line')
    .option('-l, --files-with-matches', 'print only the names of files with a selected line')
    .option('-L, --files-without-match', 'print only the names of files without one')
    .option('-s, --no-messages', 'do not report missing or unreadable files')
    .option('-m, --max-count <num>', 'stop reading a file after NUM selected lines', intArg('-m'))
    .option('-A, --after-context <num>', 'print NUM lines of context after each selected line', intArg('-A'))
    .option('-B, --before-context <num>', 'print NUM lines of context before each selected line', intArg('-B'))
    .option('-C, --context <num>', 'print NUM lines of context around each selected line', intArg('-C'))
    .option('-H, --with-filename', 'prefix each line with its file name (default with several files)')
    .option('-h, --no-filename', 'never prefix lines with file names')
    .option('-a, --text', 'search binary files as text')
    .addOption(colorUsageOption())
    .option('--json', 'NDJSON output: one record per line (file, line number, text, match ranges), counts and stats')
    .option('--stats', 'after the output, print lines matched, bytes searched, time, throughput and log levels');
}

/** -H and -h: the last one given wins, as in grep (commander keeps only the negatable flag's value). */
export function trackFilenameFlags(command: Command): { value: boolean | undefined } {
  const state: { value: boolean | undefined } = { value: undefined };
  command.on('option:with-filename', () => (state.value = true));
  command.on('option:no-filename', () => (state.value = false));
  return state;
}

/** The flags as loggrep's options. */
export function grepOptions(
  flags: GrepFlags,
  patterns: string[],
  files: string[],
  fixedStrings: boolean | undefined,
  withFilename: boolean | undefined,
): LoggrepOptions {
  const color = !flags.json && shouldColor(flags.color, 1);
  return {
    patterns,
    files,
    fixedStrings,
    ignoreCase: flags.ignoreCase,
    wordRegexp: flags.wordRegexp,
    lineRegexp: flags.lineRegexp,
    invert: flags.invertMatch,
    count: flags.count,
    lineNumbers: flags.lineNumber,
    onlyMatching: flags.onlyMatching,
    quiet: flags.quiet,
    listFiles: flags.filesWithMatches ? 'matching' : flags.filesWithoutMatch ? 'non-matching' : undefined,
    noMessages: !flags.messages,
    maxCount: flags.maxCount,
    after: flags.afterContext ?? flags.context,
    before: flags.beforeContext ?? flags.context,
    withFilename,
    text: flags.text,
    colors: color ? parseGrepColors(process.env.GREP_COLORS) : null,
    json: flags.json,
    stats: flags.stats,
  };
}

/** grep -f: one pattern per line; a final newline ends the last line rather than adding an empty pattern. */
export function readPatternFile(path: string): string[] {
  let text: string;
  try {
    text = readFileSync(path === '-' ? 0 : path, 'utf8');
  } catch (err) {
    throw new FileAccessError(path === '-' ? '(standard input)' : path, err);
  }
  if (text === '') return [];
  return (text.endsWith('\n') ? text.slice(0, -1) : text).split('\n');
}

const TAKES_VALUE = new Set([
  '-e',
  '--regexp',
  '-f',
  '--file',
  '-m',
  '--max-count',
  '-A',
  '--after-context',
  '-B',
  '--before-context',
  '-C',
  '--context',
]);

/** The shared --color option, with a bad value reported as a usage error (one line, status 2). */
function colorUsageOption() {
  const option = colorOption();
  const parse = option.parseArg!;
  return option.argParser((value: string, previous: unknown) => {
    try {
      return parse(value, previous);
    } catch (err) {
      throw new UsageError((err as Error).message);
    }
  });
}

/** `-5` → `-C 5` and bare `--color` → `--color=auto`, for arguments before `--` (not the value of -e, -m, …). */
function expandContextShorthand(argv: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') return [...out, ...argv.slice(i)];
    if (/^-\d+$/.test(arg)) out.push('-C', arg.slice(1));
    // grep's bare `--color` takes no value (`--color=WHEN` does): `--color ERROR app.log` searches for ERROR.
    else if (arg === '--color') out.push('--color=auto');
    else {
      out.push(arg);
      if (TAKES_VALUE.has(arg) && i + 1 < argv.length) out.push(argv[++i]!);
    }
  }
  return out;
}
