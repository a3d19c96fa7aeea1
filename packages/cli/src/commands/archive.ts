import { closeSync, openSync, readSync, renameSync, unlinkSync } from 'node:fs';
import { BufferedOutput, ExitCode, FileAccessError, UsageError } from '@esc/core';
import {
  ArchiveDamageError,
  ArchiveReader,
  createArchive,
  type CreateOptions,
  DEFAULT_LEVEL,
  MAX_FIELDS,
  searchChunks,
  sectionTotals,
} from '@esc/archive';
import type { LogFormat } from '@esc/parser';
import { analyzePattern, LineMatcher, loggrep, outputNeedsLines } from '@esc/logtools';
import { printError, printWarning } from '../error-reporter.js';
import { intArg, newCommand, runAction, type Command } from '../command-kit.js';
import { addGrepFlags, type GrepFlags, grepOptions, readPatternFile, trackFilenameFlags } from './grep-flags.js';

function sub(name: string, description: string): Command {
  return newCommand(`archive ${name}`, description).name(name);
}

export function createCommand(): Command {
  const archive = newCommand('archive', 'lossless, checksummed, searchable log archives (.esca)').addHelpText(
    'after',
    `
Exit status: 0 success; 1 grep selected no line; 2 an error, or a damaged block (the other blocks are still
extracted, verified or searched, and each damaged one is reported on its own line).`,
  );

  archive.addCommand(
    sub('create', 'archive FILEs into OUT (templates and variable columns, then brotli)')
      .argument('<files...>', 'the logs to archive, in this order')
      .requiredOption('-o, --output <archive>', 'the archive to write (replaced atomically)')
      .option(
        '--level <n>',
        `0–11: brotli quality (default ${DEFAULT_LEVEL}; 10 and 11 are smaller and several times slower)`,
        intArg('--level'),
      )
      .option(
        '--block-size <bytes>',
        'input bytes per block (default 8 MiB; smaller: finer grep pruning)',
        intArg('--block-size', 1024),
      )
      .option(
        '-f, --format <format>',
        `the log format whose header fields (timestamp, pid, host…) each get their own columns: auto, a built-in
name, a Loghub format string ('<Date> <Time> <Level>: <Content>'), or '${NO_FORMAT}' (none: a variable's column
is named by the text before it)`,
        NO_FORMAT,
      )
      .action(
        runAction(
          async (files: string[], flags: { output: string; level?: number; blockSize?: number; format: string }) => {
            const fields = await headerFields(flags.format, files[0]!);
            createArchive({
              inputs: files,
              output: flags.output,
              level: flags.level,
              blockBytes: flags.blockSize,
              fields,
            });
            return ExitCode.Ok;
          },
        ),
      ),
  );

  archive.addCommand(
    sub('extract', 'write the archived bytes (all inputs, in order) to standard output or FILE')
      .argument('<archive>')
      .option('-o, --output <file>', 'write to FILE instead of standard output')
      .action(runAction((path: string, flags: { output?: string }) => extract(path, flags.output))),
  );

  archive.addCommand(
    sub('verify', 'check every block (checksums, decoding, lengths); report damaged blocks')
      .argument('<archive>')
      .action(runAction((path: string) => verify(path))),
  );

  archive.addCommand(
    sub('info', 'print what an archive holds: inputs, blocks, lines, sizes')
      .argument('<archive>')
      .option('--sections', 'also the bytes of each section (templates, numbers, packed integers…) over all blocks')
      .action(runAction((path: string, flags: { sections?: boolean }) => info(path, flags.sections === true))),
  );
  archive.addCommand(grepCommand());
  return archive;
}

/** `--format line`: no format. */
const NO_FORMAT = 'line';
/** Bytes of the first input that --format auto looks at, and the lines of them. */
const SAMPLE_BYTES = 64 * 1024;
const SAMPLE_LINES = 50;

/**
 * The header fields of `--format`, located in a line by parsing it: each field but the message, found in
 * order in the line. Undefined for 'line', or when auto detection finds no format. The parser is loaded only
 * here: grep and extract do not pay for it.
 */
async function headerFields(name: string, first: string): Promise<CreateOptions['fields']> {
  if (name === NO_FORMAT) return undefined;
  const { InvalidFormatError, selectFormat } = await import('@esc/parser');
  let sample: string[] = [];
  try {
    const fd = openSync(first, 'r');
    try {
      const buf = Buffer.alloc(SAMPLE_BYTES);
      sample = buf.toString('latin1', 0, readSync(fd, buf, 0, SAMPLE_BYTES, 0)).split('\n', SAMPLE_LINES);
    } finally {
      closeSync(fd);
    }
  } catch (err) {
    throw new FileAccessError(first, err);
  }
  let format: LogFormat;
  try {
    const selection = await selectFormat({ format: name }, sample, {});
    if (selection.how === 'fallback') return undefined;
    format = selection.format;
  } catch (err) {
    if (err instanceof InvalidFormatError) throw new UsageError(err.message);
    throw err;
  }
  const header = format.fields.filter((f) => f !== format.messageField).slice(0, MAX_FIELDS);
  if (header.length === 0) return undefined;
  return {
    format: format.name,
    locate(line) {
      const parsed = format.parse(line);
      if (parsed === null) return null;
      const at: number[] = [];
      let from = 0;
      for (const field of header) {
        const value = parsed.fields[field] ?? '';
        const start = value === '' ? -1 : line.indexOf(value, from);
        // A value the parser rewrote is not in the line: that field names no column.
        if (start === -1) at.push(-1, -1);
        else {
          at.push(start, start + value.length);
          from = start + value.length;
        }
      }
      return at;
    },
  };
}

function grepCommand(): Command {
  const command = sub('grep', 'search the archived lines as esc loggrep searches the original files')
    .usage('[options] PATTERN ARCHIVE | [options] -e PATTERN... ARCHIVE')
    .argument('<operands...>', 'PATTERN ARCHIVE, or ARCHIVE alone with -e/-f');
  addGrepFlags(command).addHelpText(
    'after',
    `
The output and exit status are those of esc loggrep on the archived files (named as they were archived).
Blocks whose text cannot hold a pattern's required literal are not decoded.`,
  );
  const filename = trackFilenameFlags(command);
  return command.action(
    runAction(async (operands: string[], flags: GrepFlags) => {
      const given = [...flags.regexp, ...flags.file.flatMap(readPatternFile)];
      const explicit = flags.regexp.length > 0 || flags.file.length > 0;
      const patterns = explicit ? given : operands.slice(0, 1);
      const rest = explicit ? operands : operands.slice(1);
      if (rest.length !== 1) throw new UsageError('archive grep: give one ARCHIVE (usage: PATTERN ARCHIVE)');
      // grep -f on an empty file: no pattern, nothing can match (with -v the lines are all selected).
      if (patterns.length === 0 && !flags.invertMatch) return ExitCode.NotFound;
      const reader = ArchiveReader.open(rest[0]!);
      try {
        if (reader.indexProblem !== null)
          printWarning(`${reader.path}: ${reader.indexProblem}: ${reader.blocks.length} blocks found by scanning`);
        const files = reader.description.inputs.map((_, i) => String(i));
        const search = patterns.length === 0 ? ['[^\\s\\S]'] : patterns;
        const options = grepOptions(
          flags,
          search,
          files,
          patterns.length === 0 ? false : flags.fixedStrings,
          filename.value,
        );
        let damaged = false;
        const fixed = options.fixedStrings ?? false;
        const requiredLiterals = search
          .flatMap((p) => p.split('\n'))
          .map((p) => (fixed ? p : analyzePattern(p).required));
        const judge = new LineMatcher(options.patterns, options);
        const mode = !outputNeedsLines(options) ? 'tally' : canPrune(flags) ? 'prune' : 'lines';
        options.openInput = (file) => {
          const input = Number(file);
          return {
            name: reader.description.inputs[input]!.name,
            chunks: searchChunks(reader, input, {
              requiredLiterals,
              judge,
              mode,
              ignoreCase: flags.ignoreCase ?? false,
              onDamage: (err) => {
                damaged = true;
                printError(err.describe());
              },
            }),
            close() {},
          };
        };
        const result = await loggrep(options, new BufferedOutput(1), {
          error: (err) => printError(err.describe()),
          notice: printError,
        });
        return damaged && !(flags.quiet && result.status === 0) ? ExitCode.Error : result.status;
      } finally {
        reader.close();
      }
    }),
  );
}

/**
 * Blocks may stand as empty lines only when no selected line can be empty or be printed beside one: no -v,
 * no context lines, no --stats (it counts the bytes searched).
 */
function canPrune(flags: GrepFlags): boolean {
  return (
    !flags.invertMatch &&
    flags.afterContext === undefined &&
    flags.beforeContext === undefined &&
    flags.context === undefined &&
    !flags.stats
  );
}

/** Runs `each` over every block; a damaged block is reported and counted, the others go on. */
function forEachBlock(reader: ArchiveReader, each: (number: number) => void): number {
  if (reader.indexProblem !== null)
    printWarning(`${reader.path}: ${reader.indexProblem}: ${reader.blocks.length} blocks found by scanning`);
  let damaged = 0;
  for (let i = 0; i < reader.blocks.length; i++) {
    try {
      each(i);
    } catch (err) {
      if (!(err instanceof ArchiveDamageError)) throw err;
      printError(err.describe());
      damaged++;
    }
  }
  return damaged;
}

function extract(path: string, output: string | undefined): number {
  const reader = ArchiveReader.open(path);
  const temp = output === undefined ? undefined : `${output}.tmp-${process.pid}`;
  let fd = 1;
  if (temp !== undefined) {
    try {
      fd = openSync(temp, 'w');
    } catch (err) {
      reader.close();
      throw new FileAccessError(output!, err);
    }
  }
  const out = new BufferedOutput(fd);
  try {
    const damaged = forEachBlock(reader, (i) => out.write(reader.blockBytes(i)));
    out.flush();
    if (temp !== undefined) {
      closeSync(fd);
      renameSync(temp, output!);
    }
    return damaged > 0 || reader.indexProblem !== null ? ExitCode.Error : ExitCode.Ok;
  } catch (err) {
    if (temp !== undefined) {
      closeSync(fd);
      unlinkSync(temp);
    }
    throw err;
  } finally {
    reader.close();
  }
}

function verify(path: string): number {
  const reader = ArchiveReader.open(path);
  try {
    let bytes = 0;
    const damaged = forEachBlock(reader, (i) => {
      bytes += reader.blockBytes(i).length;
    });
    const missing = missingRanges(reader);
    for (const gap of missing) printError(`${path}: ${gap}`);
    const out = new BufferedOutput(1);
    const bad = damaged + missing.length + (reader.indexProblem === null ? 0 : 1);
    out.write(
      bad === 0
        ? `${path}: OK: ${reader.blocks.length} blocks, ${bytes} bytes of ${reader.description.inputs.length} inputs\n`
        : `${path}: DAMAGED: ${damaged} of ${reader.blocks.length} blocks unreadable\n`,
    );
    out.flush();
    return bad === 0 ? ExitCode.Ok : ExitCode.Error;
  } finally {
    reader.close();
  }
}

/** Input bytes no block covers (a block lost with the index, or an archive cut short). */
function missingRanges(reader: ArchiveReader): string[] {
  const gaps: string[] = [];
  reader.description.inputs.forEach((input, n) => {
    let at = 0;
    for (const b of reader.blocks) {
      if (b.input !== n) continue;
      if (b.inputOffset !== at) gaps.push(`${input.name}: bytes ${at}–${b.inputOffset} are in no block`);
      at = b.inputOffset + b.inputLength;
    }
    if (at !== input.size) gaps.push(`${input.name}: bytes ${at}–${input.size} are in no block`);
  });
  return gaps;
}

function info(path: string, sections: boolean): number {
  const reader = ArchiveReader.open(path);
  try {
    const d = reader.description;
    const inputBytes = d.inputs.reduce((sum, i) => sum + i.size, 0);
    const lines = reader.blocks.reduce((sum, b) => sum + b.lines, 0);
    const out = new BufferedOutput(1);
    out.write(`archive     ${path}\n`);
    out.write(
      `size        ${reader.size} bytes (input ${inputBytes} bytes, ratio ${ratio(inputBytes, reader.size)})\n`,
    );
    out.write(`created     ${d.createdAt}, level ${d.level}, blocks of ${d.blockBytes} bytes\n`);
    out.write(
      `format      ${d.format ?? `${NO_FORMAT} (columns named by the text before them)`}, version ${reader.version}\n`,
    );
    out.write(`blocks      ${reader.blocks.length}${reader.indexProblem ? ` (${reader.indexProblem})` : ''}\n`);
    out.write(`lines       ${lines}\n`);
    for (const input of d.inputs) out.write(`input       ${input.name} (${input.size} bytes)\n`);
    if (sections)
      for (const s of sectionTotals(reader)) {
        const share = reader.size === 0 ? 0 : (100 * s.stored) / reader.size;
        out.write(
          `section     ${s.name}: ${s.stored} bytes (${share.toFixed(1)}% of the archive), ${s.decoded} decoded\n`,
        );
      }
    out.flush();
    return ExitCode.Ok;
  } finally {
    reader.close();
  }
}

const ratio = (a: number, b: number) => (b === 0 ? '-' : (a / b).toFixed(2));
