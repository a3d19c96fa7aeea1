import { BufferedOutput, UsageError } from '@esc/core';
import { loggrep, resolveOperands } from '@esc/logtools';
import { printError } from '../error-reporter.js';
import { newCommand, runAction, type Command } from '../command-kit.js';
import { addGrepFlags, type GrepFlags, grepOptions, readPatternFile, trackFilenameFlags } from './grep-flags.js';

export function createCommand(): Command {
  const command = newCommand('loggrep', 'search files for lines matching a JavaScript regular expression, grep-style')
    .helpOption('--help', 'print this help and exit')
    .usage('[options] FILE PATTERN | [options] PATTERN [FILE...] | [options] -e PATTERN... [FILE...]')
    .argument('[operands...]', 'FILE PATTERN (the original order), or PATTERN FILE... as grep; `-` is standard input');
  addGrepFlags(command).addHelpText(
    'after',
    `
Operand order: with -e or -f every operand is a file. Without -e, exactly two operands where the first is an
existing file (or -) and the second is not mean FILE PATTERN (the original loggrep order); anything else is
grep's PATTERN [FILE...].
Exit status: 0 a line was selected, 1 no line was selected, 2 an error (a missing file is reported and the
other files are still searched; with -q a selected line still gives 0).`,
  );
  const filename = trackFilenameFlags(command);
  return command.action(
    runAction(async (operands: string[], flags: GrepFlags) => {
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
      const result = await loggrep(
        grepOptions(flags, patterns, files, fixedStrings, filename.value),
        new BufferedOutput(1),
        { error: (err) => printError(err.describe()), notice: printError },
      );
      return result.status;
    }),
  );
}

/** A class with no member: matches nothing, and the linear engine runs it. */
const NEVER_MATCHES = '[^\\s\\S]';
