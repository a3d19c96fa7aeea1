import { readFileSync } from 'node:fs';
import { BufferedOutput, FileAccessError, shouldColor, UsageError, type ColorMode } from '@esc/core';
import { loggrep, parseGrepColors, resolveOperands } from '@esc/logtools';
import { printError } from '../error-reporter.js';
import { colorOption, intArg, newCommand, runAction, type Command } from '../command-kit.js';

interface LoggrepFlags {
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

export function createCommand(): Command {
  // -H and -h: the last one given wins, as in grep.
  let withFilename: boolean | undefined;
  const command = newCommand('loggrep', 'search files for lines matching a JavaScript regular expression, grep-style')
    .helpOption('--help', 'print this help and exit')
    .usage('[options] FILE PATTERN | [options] PATTERN [FILE...] | [options] -e PATTERN... [FILE...]')
    .argument('[operands...]', 'FILE PATTERN (the original order), or PATTERN FILE... as grep; `-` is standard input')
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
    .option('--stats', 'after the output, print lines matched, bytes searched, time, throughput and log levels')
    .addHelpText(
      'after',
      `
Operand order: with -e or -f every operand is a file. Without -e, exactly two operands where the first is an
existing file (or -) and the second is not mean FILE PATTERN (the original loggrep order); anything else is
grep's PATTERN [FILE...].
Exit status: 0 a line was selected, 1 no line was selected, 2 an error (a missing file is reported and the
other files are still searched; with -q a selected line still gives 0).`,
    );
  // grep's `-NUM` means `-C NUM`; commander would take it for an operand, so it is rewritten before parsing.
  const parseAsync = command.parseAsync.bind(command);
  command.parseAsync = (argv, options) => parseAsync(expandContextShorthand(argv ?? []), options);
  command.on('option:with-filename', () => (withFilename = true));
  command.on('option:no-filename', () => (withFilename = false));
  return command.action(
    runAction(async (operands: string[], flags: LoggrepFlags) => {
      const fromFiles = flags.file.flatMap(readPatternFile);
      const given = [...flags.regexp, ...fromFiles];
      let { patterns, files } = resolveOperands(operands, given);
      let fixedStrings = flags.fixedStrings;
      if (flags.file.length > 0 && given.length === 0) {
        // grep -f on an empty file: no pattern, so no line can match; GNU grep then exits 1 without reading
        // (no count printed). With -v every line is selected, so that case searches as usual.
        if (!flags.invertMatch) return 1;
        ({ files } = resolveOperands(operands, ['']));
        patterns = [NEVER_MATCHES];
        fixedStrings = false;
      }
      if (patterns.length === 0)
        throw new UsageError(
          'loggrep: no pattern given (usage: esc loggrep FILE PATTERN, or esc loggrep PATTERN [FILE...])',
        );
      const color = !flags.json && shouldColor(flags.color, 1);
      const result = await loggrep(
        {
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
        },
        new BufferedOutput(1),
        { error: (err) => printError(err.describe()), notice: printError },
      );
      return result.status;
    }),
  );
}

/** A class with no member: matches nothing, and the linear engine runs it. */
const NEVER_MATCHES = '[^\\s\\S]';

/** grep -f: one pattern per line; a final newline ends the last line rather than adding an empty pattern. */
function readPatternFile(path: string): string[] {
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
