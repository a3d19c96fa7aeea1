import { isAscii } from 'node:buffer';
import { InvalidInputError, unfinishedUtf8Tail } from '@esc/core';
import type { LogFormat, ParsedLine } from './format-types.js';
import type { NdjsonLineScanner, StatsLineScanner } from './hdfs-fast-path.js';
import { MessageTap, type MessageObserver } from './message-tap.js';
import type { StatsAccumulator } from './stats-accumulator.js';

/** A parsed line with its line number set: what the stream yields and the writers print. */
export type ParsedRecord = ParsedLine;

export interface ParseStreamOptions {
  format: LogFormat;
  /** The input's name, for --strict errors. */
  source?: string;
  /** Stop with InvalidInputError (exit 2) at the first malformed line or impossible timestamp. */
  strict?: boolean;
  /**
   * Lines longer than this (in characters) are counted as malformed without being matched: a pattern of lazy
   * fields can take time quadratic or worse in the line length, and no log line of interest is this long.
   */
  maxLineLength?: number;
  /** Keep only records for which this returns true (see compileRecordFilter). */
  filter?: ((line: ParsedLine) => boolean) | undefined;
  /** Statistics fed as lines go by. */
  stats?: StatsAccumulator | undefined;
  /** False: count into `stats` only and yield empty batches (the --stats path keeps no records). */
  collect?: boolean;
  /**
   * Called with the message of every selected record (parsed, kept by the filter, with a message field), fast
   * paths included, unless it asked to skip it: a hook for consumers such as the CLI's template miner, which
   * the parser does not know.
   */
  onMessage?: MessageObserver | undefined;
  /** Called after each chunk with the bytes consumed so far (for a progress bar). */
  onProgress?: ((bytes: number) => void) | undefined;
}

export const DEFAULT_MAX_LINE_LENGTH = 64 * 1024;

/**
 * Turns text into records line by line: lines split on \n, a trailing \r dropped. Malformed lines are
 * counted and skipped, never fatal unless `strict`. Text may arrive in any pieces: an unfinished last line
 * waits for the next piece or for `finish()`.
 */
export class RecordParser {
  private lineNo = 0;
  private carry = '';
  /** Lines that did not match, and the first of them (0 when none): callers report them even without stats. */
  malformed = 0;
  firstMalformedLine = 0;
  invalidTimestamps = 0;
  private readonly maxLen: number;

  private readonly scanner: StatsLineScanner | undefined;
  private readonly messages: MessageTap | undefined;

  constructor(private readonly options: ParseStreamOptions) {
    this.maxLen = options.maxLineLength ?? DEFAULT_MAX_LINE_LENGTH;
    // Statistics only, nothing filtered: the format's fast path (if any) counts plain lines from the text.
    const { stats, format } = options;
    this.messages = options.onMessage === undefined ? undefined : new MessageTap(options.onMessage);
    if (stats !== undefined && options.collect === false && options.filter === undefined && format.statsScanner)
      this.scanner = format.statsScanner(stats, this.maxLen, this.messages);
  }

  /** Parses the complete lines of `text`; records go to `out` when given (filters applied). */
  push(text: string, out: ParsedRecord[] | null): void {
    if (this.carry !== '') {
      text = this.carry + text;
      this.carry = '';
    }
    let start = 0;
    const end = text.length;
    const scanner = out === null ? this.scanner : undefined;
    while (start < end) {
      // The fast path counts the plain lines; the general one takes the line it leaves.
      if (scanner !== undefined) {
        start = this.skipPlain(scanner, text, start);
        if (start >= end) break;
      }
      start = this.takeLine(text, start, out);
      if (start === -1) break;
    }
  }

  /** Runs a fast path from `start` over the lines it takes; returns where it stopped. */
  private skipPlain(scanner: { scan(text: string, start: number): number }, text: string, start: number): number {
    let fast = 0;
    for (let next = scanner.scan(text, start); next !== -1; next = scanner.scan(text, start)) {
      start = next;
      fast++;
    }
    this.lineNo += fast;
    this.options.stats?.addLines(fast);
    return start;
  }

  /** Parses the line at `start` the general way; returns the next line's start, or -1 if it is unfinished. */
  private takeLine(text: string, start: number, out: ParsedRecord[] | null): number {
    const nl = text.indexOf('\n', start);
    if (nl === -1) {
      this.carry = text.slice(start);
      return -1;
    }
    const stop = nl > start && text.charCodeAt(nl - 1) === 13 ? nl - 1 : nl;
    this.parseLine(text.slice(start, stop), out);
    return nl + 1;
  }

  /** Whether the last pushNdjson result is known to be ASCII (only fast-path lines in it). */
  ndjsonAscii = true;
  private ndjson: NdjsonLineScanner | undefined;

  /**
   * NDJSON straight from text, for a format with an NDJSON fast path and no filter or statistics: plain lines
   * are written by the fast path, the others parsed and written by `serialise`, in input order. Returns the
   * JSON lines of the complete lines of `text` (the unfinished last line waits, as in push).
   */
  pushNdjson(text: string, serialise: (record: ParsedRecord) => string, final = false): string {
    this.ndjson ??= this.options.format.ndjsonScanner!(this.maxLen);
    const scanner = this.ndjson;
    if (this.carry !== '') {
      text = this.carry + text;
      this.carry = '';
    }
    if (final && text !== '' && text.charCodeAt(text.length - 1) !== 10) text += '\n';
    this.ndjsonAscii = true;
    let json = '';
    const one: ParsedRecord[] = [];
    let start = 0;
    const end = text.length;
    while (start < end) {
      start = this.skipPlain(scanner, text, start);
      if (start >= end) break;
      start = this.takeLine(text, start, one);
      // The fast lines before this one first, then this one: output keeps input order.
      json += scanner.take();
      if (one.length > 0) {
        json += `${serialise(one[0]!)}\n`;
        one.length = 0;
        this.ndjsonAscii = false;
      }
      if (start === -1) break;
    }
    return json + scanner.take();
  }

  /** Parses the last line if the input did not end with a newline; completes the statistics. */
  finish(out: ParsedRecord[] | null): void {
    this.scanner?.flush();
    if (this.carry === '') return;
    const line = this.carry.charCodeAt(this.carry.length - 1) === 13 ? this.carry.slice(0, -1) : this.carry;
    this.carry = '';
    this.parseLine(line, out);
  }

  get linesRead(): number {
    return this.lineNo;
  }

  private parseLine(line: string, out: ParsedRecord[] | null): void {
    const { format, stats, filter } = this.options;
    const lineNo = ++this.lineNo;
    stats?.addLines(1);
    const tooLong = line.length > this.maxLen;
    const parsed = tooLong ? null : format.parse(line);
    if (parsed === null) {
      if (this.options.strict)
        throw new InvalidInputError(
          tooLong ? `line longer than ${this.maxLen} characters` : `line does not match the ${format.name} format`,
          {
            path: this.options.source ?? '(input)',
            line: lineNo,
          },
        );
      if (this.malformed++ === 0) this.firstMalformedLine = lineNo;
      stats?.addMalformed(lineNo, line);
      return;
    }
    if (parsed.invalidTimestamp) {
      if (this.options.strict)
        throw new InvalidInputError(`impossible timestamp in: ${line.slice(0, 120)}`, {
          path: this.options.source ?? '(input)',
          line: lineNo,
        });
      this.invalidTimestamps++;
      stats?.addInvalidTimestamp(lineNo, line);
    }
    if (filter !== undefined && !filter(parsed)) {
      stats?.addFilteredOut();
      return;
    }
    stats?.addEvent(parsed);
    if (parsed.message !== undefined && this.messages?.wants()) this.messages.give(parsed.message);
    if (out !== null) {
      parsed.line = lineNo;
      out.push(parsed);
    }
  }
}

/**
 * Parses a stream of chunks (core's readChunks, or any iterable of Buffers or strings) and yields the
 * records of each chunk as one array, so the per-record cost stays a loop iteration, not a promise.
 * Invalid UTF-8 decodes to U+FFFD; a chunk may end mid-line (the rest waits for the next chunk).
 */
export async function* parseRecordBatches(
  chunks: AsyncIterable<Buffer | string> | Iterable<Buffer | string>,
  options: ParseStreamOptions,
  parser: RecordParser = new RecordParser(options),
): AsyncGenerator<ParsedRecord[]> {
  const collect = options.collect ?? true;
  let bytes = 0;
  let pendingBytes: Buffer | null = null;
  for await (const chunk of chunks) {
    let text: string;
    if (typeof chunk === 'string') text = chunk;
    else {
      // A chunk cut inside a multi-byte character must not decode it as two U+FFFD: hold the incomplete tail.
      const buf: Buffer = pendingBytes ? Buffer.concat([pendingBytes, chunk]) : chunk;
      if (isAscii(buf)) {
        // ASCII reads the same in Latin-1, which V8 copies straight into a one-byte string.
        pendingBytes = null;
        text = buf.toString('latin1');
      } else {
        const cut = unfinishedUtf8Tail(buf);
        pendingBytes = cut > 0 ? buf.subarray(buf.length - cut) : null;
        text = buf.toString('utf8', 0, buf.length - cut);
      }
    }
    bytes += chunk.length;
    const out: ParsedRecord[] = [];
    parser.push(text, collect ? out : null);
    options.onProgress?.(bytes);
    yield out;
  }
  const out: ParsedRecord[] = [];
  if (pendingBytes) parser.push(pendingBytes.toString('utf8'), collect ? out : null);
  parser.finish(collect ? out : null);
  if (out.length > 0 || !collect) yield out;
}

/** Records one at a time (convenient; parseRecordBatches is faster for large inputs). */
export async function* parseStream(
  chunks: AsyncIterable<Buffer | string> | Iterable<Buffer | string>,
  options: ParseStreamOptions,
): AsyncGenerator<ParsedRecord> {
  for await (const batch of parseRecordBatches(chunks, { ...options, collect: true })) yield* batch;
}
