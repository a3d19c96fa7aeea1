import {
  type BufferedOutput,
  type EscError,
  FileAccessError,
  hasBinaryData,
  openInput,
  readChunks,
  type InputSource,
} from '@esc/core';
import type { GrepColors } from './grep-colors.js';
import { GrepStats, type GrepStatsSummary } from './grep-stats.js';
import { JsonPrinter } from './json-printer.js';
import { LineMatcher, type MatcherOptions } from './line-matcher.js';
import { searchChunk } from './line-searcher.js';
import { LineSelector, type SelectionShared } from './line-selector.js';
import { TextPrinter, type GrepPrinter } from './match-printer.js';

/**
 * Read size for searching. Blocks that stay in the CPU's L2 cache between read() copying them in and
 * indexOf scanning them are several times faster than 1 MiB blocks (measured: 128 MiB scanned in ~20 ms
 * with 128 KiB blocks, ~100 ms with 1 MiB), the reason GNU grep reads 96 KiB at a time too.
 */
const GREP_CHUNK_SIZE = 128 * 1024;

export interface LoggrepOptions extends MatcherOptions {
  patterns: string[];
  /** Files to search; `-` is standard input; none means standard input. */
  files: string[];
  invert?: boolean;
  count?: boolean;
  lineNumbers?: boolean;
  onlyMatching?: boolean;
  quiet?: boolean;
  /** -l: list the files with a selected line; -L: those without. Reading a file stops at its first. */
  listFiles?: 'matching' | 'non-matching';
  /** -m NUM. */
  maxCount?: number;
  before?: number;
  after?: number;
  /** -H (true) / -h (false); by default names are shown when more than one file is searched. */
  withFilename?: boolean;
  /** -a: search binary files as text. */
  text?: boolean;
  /** -s: do not report unreadable files (the exit status still says 2). */
  noMessages?: boolean;
  /** Colours for text output, or null. */
  colors?: GrepColors | null;
  json?: boolean;
  stats?: boolean;
  chunkSize?: number;
  /**
   * Opens a file operand's bytes; by default the file itself. `esc archive grep` passes the lines of an
   * archived input, so that its output is loggrep's by construction.
   */
  openInput?: (file: string) => SearchInput;
}

/** Bytes to search, in chunks of whole lines (the last line of the input may lack its newline). */
export interface SearchInput {
  readonly name: string;
  /**
   * The lines, or, where the output needs no line text (see outputNeedsLines), tallies of lines whose verdict
   * the source already knows: an archive counts a template's lines without rebuilding them.
   */
  readonly chunks: AsyncIterable<Buffer | LineTally>;
  close(): void;
}

/** Lines already judged by the source: `matching` lines the patterns match, `unmatched` they do not. */
export interface LineTally {
  readonly matching: number;
  readonly unmatched: number;
}

/**
 * Whether the output shows lines (or their numbers, bytes, levels): when it does not (-c, -l, -L, -q without
 * --stats or --json), only each line's verdict matters, not its text or its place, and a source may yield
 * LineTally items.
 */
export function outputNeedsLines(options: LoggrepOptions): boolean {
  return !(options.count || options.quiet || options.listFiles) || (options.stats ?? false) || (options.json ?? false);
}

/** Reports that are not data: errors (a missing file) and notices (a binary file matches). */
export interface LoggrepEvents {
  error(err: EscError): void;
  notice(message: string): void;
}

export interface LoggrepResult {
  /** grep's exit status: 0 a line selected, 1 none, 2 an error (unless -q found a line). */
  status: 0 | 1 | 2;
  stats: GrepStatsSummary | null;
}

/**
 * Searches `options.files` as GNU grep does and writes grep's output (or NDJSON) to `out`. Files that cannot
 * be read are reported through `events` and the others are still searched. A BrokenPipeError from `out`
 * propagates: the reader has gone, nothing more is read.
 */
export async function loggrep(
  options: LoggrepOptions,
  out: BufferedOutput,
  events: LoggrepEvents,
): Promise<LoggrepResult> {
  const matcher = new LineMatcher(options.patterns, options);
  const files = options.files.length > 0 ? options.files : ['-'];
  const stats = options.stats ? new GrepStats() : null;
  const invert = options.invert ?? false;
  const printer: GrepPrinter = options.json
    ? new JsonPrinter(out, matcher, invert)
    : new TextPrinter(out, matcher, {
        withFilename: options.withFilename ?? files.length > 1,
        lineNumbers: options.lineNumbers ?? false,
        onlyMatching: options.onlyMatching ?? false,
        invert,
        colors: options.colors ?? null,
      });
  const maxCount = options.maxCount ?? Infinity;
  const mode = options.quiet || options.listFiles ? 'quiet' : options.count ? 'count' : 'print';
  const list = options.quiet ? undefined : options.listFiles;
  const shared: SelectionShared = { printedAny: false };
  let anySelected = false;
  let hadError = false;

  // grep -m 0 answers "no" without reading anything.
  if (maxCount > 0) {
    for (const file of files) {
      let source: SearchInput;
      try {
        source = options.openInput ? options.openInput(file) : fileInput(openInput(file), options);
      } catch (err) {
        hadError = true;
        if (!options.noMessages) events.error(err as EscError);
        continue;
      }
      const selector = new LineSelector(
        {
          invert,
          maxCount,
          before: options.before ?? 0,
          after: options.after ?? 0,
          contextGiven: options.before !== undefined || options.after !== undefined,
          mode,
          lineNumbers: (options.lineNumbers ?? false) || (options.json ?? false) || stats !== null,
          onSelected: stats ? (buf, s, e) => stats.recordSelected(buf, s, e) : undefined,
        },
        printer,
        source.name,
        shared,
      );
      try {
        await searchSource(source.chunks, matcher, selector, options, stats);
      } catch (err) {
        if (!(err instanceof FileAccessError)) throw err;
        hadError = true;
        if (!options.noMessages) events.error(err);
      } finally {
        source.close();
      }
      if (stats) {
        stats.files++;
        stats.lines += selector.lines;
      }
      if (selector.binaryMatched) events.notice(`${source.name}: binary file matches`);
      if (mode === 'count') printer.count(source.name, selector.selected);
      if (list !== undefined && selector.selected > 0 === (list === 'matching')) printer.fileName(source.name);
      if (selector.selected > 0) {
        anySelected = true;
        if (options.quiet) break;
      }
    }
  }
  let summary: GrepStatsSummary | null = null;
  if (stats) {
    summary = stats.summary();
    if (options.json) (printer as JsonPrinter).write(summary);
    else if (!options.quiet) out.write(`${stats.format()}\n`);
  }
  out.flush();
  const status = options.quiet && anySelected ? 0 : hadError ? 2 : anySelected ? 0 : 1;
  return { status, stats: summary };
}

function fileInput(source: InputSource, options: LoggrepOptions): SearchInput {
  return {
    name: source.name,
    chunks: readChunks(source, { chunkSize: options.chunkSize ?? GREP_CHUNK_SIZE, reuseBuffer: true }),
    close: () => source.close(),
  };
}

/** Feeds one input to the selector block by block, until its end or until the selector has its answer. */
async function searchSource(
  chunks: AsyncIterable<Buffer | LineTally>,
  matcher: LineMatcher,
  selector: LineSelector,
  options: LoggrepOptions,
  stats: GrepStats | null,
) {
  const tallies = !outputNeedsLines(options);
  for await (const chunk of chunks) {
    if (!(chunk instanceof Uint8Array)) {
      if (!tallies) throw new Error('a line tally given to a search whose output shows lines');
      if (!selector.tallied(chunk.matching, chunk.unmatched)) return;
      continue;
    }
    if (stats) stats.bytes += chunk.length;
    let data = chunk;
    if (!options.text) {
      if (!selector.binary && hasBinaryData(chunk)) selector.binary = true;
      if (selector.binary) data = nulsAsNewlines(chunk);
    }
    if (!searchChunk(data, matcher, selector)) return;
  }
}

/**
 * GNU grep treats NUL bytes in a binary file as line ends (its "zap_nuls"), which shows in -c and -v
 * counts; a copy of the chunk with NULs turned into newlines gives the same counts.
 */
function nulsAsNewlines(chunk: Buffer): Buffer {
  const copy = Buffer.from(chunk);
  for (let at = copy.indexOf(0); at !== -1; at = copy.indexOf(0, at + 1)) copy[at] = 10;
  return copy;
}
