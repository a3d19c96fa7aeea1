import { createPalette, ExitCode, openInput, shouldColor, UsageError, type ColorMode } from '@esc/core';
import {
  compileRecordFilter,
  CsvWriter,
  DEFAULT_MAX_LINE_LENGTH,
  FilterError,
  InvalidFormatError,
  JsonArrayWriter,
  NdjsonWriter,
  OUTPUT_FORMS,
  parseDuration,
  parseRecordBatches,
  readTextChunks,
  recordSerializer,
  RecordParser,
  selectFormat,
  StatsAccumulator,
  StreamSink,
  type FormatSelection,
  type OutputForm,
  type ParseStreamOptions,
  type RecordWriter,
  type StatsReport,
} from '@esc/parser';
import type { TemplateMiner } from '@esc/templates';
import { createProgress, progressWanted } from '../printers/progress-bar.js';
import { renderStatsReport } from '../printers/stats-printer.js';
import { TableWriter } from '../printers/table-writer.js';
import { colorOption, intArg, newCommand, Option, runAction, type Command } from '../command-kit.js';

interface ParseFlags {
  format: string;
  regex?: string;
  timestamp?: string;
  formatFile?: string;
  tz?: string;
  year?: number;
  strict?: boolean;
  stats?: boolean;
  records?: boolean;
  json?: boolean;
  output: OutputForm;
  level?: string;
  since?: string;
  until?: string;
  grep?: string;
  bucket?: string;
  top: number;
  templates?: boolean;
  topTemplates?: number;
  exactTemplates?: boolean;
  maxLineLength: number;
  color: ColorMode;
}

// Lines --format auto looks at.
const SAMPLE_LINES = 50;
// Messages mined one by one for the top templates; past them, one in SAMPLE_EVERY at random, standing for
// SAMPLE_EVERY (mining every line would triple the time of --stats on a large log: docs/parser.md).
const EXACT_MESSAGES = 10_000;
const SAMPLE_EVERY = 128;

export function createCommand(): Command {
  return newCommand('parse', 'parse a log into structured records (NDJSON by default) or statistics (--stats)')
    .argument('[file]', "the log to parse ('-' or nothing: standard input)", '-')
    .option(
      '-f, --format <format>',
      'auto, a built-in name (hdfs, hadoop, spark, zookeeper, bgl, hpc, openstack, openssh, linux, apache, proxifier, jsonl), a name from --format-file, or a Loghub format string',
      'auto',
    )
    .option('--regex <pattern>', 'a regular expression with named groups (?<name>…) instead of --format')
    .option(
      '--timestamp <spec>',
      "which fields make the timestamp and their layout: FIELD[,FIELD…]=LAYOUT, e.g. 'Date,Time=yyyy-MM-dd HH:mm:ss'",
    )
    .option('--format-file <path>', 'a JSON file defining named formats')
    .option('--tz <offset>', 'offset for timestamps written without a zone (Z, +02:00, -0500); default: none')
    .option(
      '--year <year>',
      'year for formats without one (syslog); default: the current year, or the last if the date would be in the future',
      intArg('--year'),
    )
    .option('--strict', 'exit 2 at the first malformed line or impossible timestamp')
    .option('--stats', 'print only the statistics report')
    .option('--records', 'with --stats: print the records too, before the report')
    .option('--json', 'print the statistics report as one JSON document (implies --stats)')
    .addOption(new Option('-o, --output <form>', 'record output form').choices([...OUTPUT_FORMS]).default('ndjson'))
    .option('--level <levels>', 'keep only these levels, comma-separated (WARN,ERROR)')
    .option('--since <time>', 'keep records at or after this time: ISO-8601 or relative (-2h, -30m, -1d)')
    .option('--until <time>', 'keep records at or before this time (same forms as --since)')
    .option('--grep <pattern>', 'keep records whose message matches this regular expression')
    .option('--bucket <size>', 'histogram bucket: 1s, 30s, 1m, 5m, 1h, 1d… (default: chosen from the span)')
    .option('--top <n>', 'rows in the top lists', intArg('--top', 1), 5)
    .option('--templates', 'with --stats: add the top event templates, mined from the messages (@esc/templates)')
    .option(
      '--top-templates <n>',
      'rows in the top templates list (default 10; implies --templates)',
      intArg('--top-templates', 1),
    )
    .option(
      '--exact-templates',
      `mine every message (exact template counts; ~3x slower on a large log) instead of sampling after the first ${EXACT_MESSAGES}`,
    )
    .option(
      '--max-line-length <n>',
      'longer lines count as malformed without being matched',
      intArg('--max-line-length', 1),
      DEFAULT_MAX_LINE_LENGTH,
    )
    .addOption(colorOption())
    .addHelpText(
      'after',
      `
Output: records as NDJSON on stdout (-o json: one array, -o csv, -o table); with --stats only the report.
Malformed lines are counted and skipped (a summary on stderr); --strict makes them fatal.
Exit status: 0 success (malformed lines included), 2 error (unreadable file, bad flag, --strict violation).`,
    )
    .action(runAction((file: string, flags: ParseFlags) => parseCommand(file, flags)));
}

async function parseCommand(file: string, flags: ParseFlags): Promise<number> {
  const stats = flags.stats || flags.json || false;
  const bucketSeconds = flags.bucket === undefined ? undefined : parseDuration(flags.bucket);
  if (bucketSeconds === null) throw new UsageError(`--bucket: invalid size '${flags.bucket}' (e.g. 30s, 1m, 1h, 1d)`);
  if (flags.records && !stats)
    throw new UsageError('--records goes with --stats (records are printed anyway without it)');
  const tsOptions = { year: flags.year, tz: flags.tz };
  let filter: ParseStreamOptions['filter'];
  try {
    filter = compileRecordFilter({
      levels: flags.level?.split(',').filter(Boolean),
      since: flags.since,
      until: flags.until,
      grep: flags.grep,
    });
  } catch (err) {
    if (err instanceof FilterError) throw new UsageError(err.message);
    throw err;
  }

  const source = openInput(file);
  const progress = createProgress(source.size, progressWanted());
  try {
    const chunks = readTextChunks(source, (bytes) => progress.update(bytes));
    // --format auto reads the first lines; the chunk they came from is then parsed like any other.
    const first = await chunks.next();
    const head = first.done ? [] : sampleLines(first.value);
    let selection: FormatSelection;
    try {
      selection = await selectFormat(
        { format: flags.format, regex: flags.regex, timestamp: flags.timestamp, formatFile: flags.formatFile },
        head,
        tsOptions,
      );
    } catch (err) {
      if (err instanceof InvalidFormatError) throw new UsageError(err.message);
      throw err;
    }
    const { format } = selection;
    if (selection.how === 'detected')
      note(`format ${format.name} (detected: it matches ${selection.matched} of the first ${selection.tried} lines)`);
    else if (selection.how === 'fallback')
      note(
        selection.tried
          ? `no known format matches the first ${selection.tried} lines; using ${format.name} (use --format to choose)`
          : `empty input; format ${format.name}`,
      );

    if (!format.hasTimestamp && (flags.since !== undefined || flags.until !== undefined))
      note(
        `format ${format.name} has no timestamp (give --timestamp FIELDS=LAYOUT), so --since/--until select nothing`,
      );
    const out = new StreamSink(process.stdout);
    const accumulator = stats
      ? new StatsAccumulator(source.name, format.name, { top: flags.top, bucketSeconds, samples: 5 })
      : undefined;
    // The parser hands each counted message to the miner; it knows nothing of templates (docs/parser.md).
    const templates =
      stats && (flags.templates === true || flags.topTemplates !== undefined || flags.exactTemplates === true)
        ? new TemplateCounter(new (await import('@esc/templates')).TemplateMiner(), flags.exactTemplates === true)
        : undefined;
    const wantRecords = !stats || flags.records === true;
    const writer = wantRecords ? createWriter(flags.output, out, format.fields) : undefined;
    const options: ParseStreamOptions = {
      format,
      source: source.name,
      strict: flags.strict,
      maxLineLength: flags.maxLineLength,
      filter,
      stats: accumulator,
      collect: wantRecords,
      onMessage: templates?.add,
    };
    const parser = new RecordParser(options);
    const all = (async function* () {
      if (!first.done) yield first.value;
      yield* chunks;
    })();
    if (!stats && filter === undefined && flags.output === 'ndjson' && format.ndjsonScanner) {
      // The format's NDJSON fast path writes plain lines straight from the text (see hdfs-fast-path.ts).
      const serialise = recordSerializer(format.fields);
      for await (const text of all) {
        const json = parser.pushNdjson(text, serialise);
        if (json !== '') {
          out.write(json, parser.ndjsonAscii);
          await out.drain();
        }
      }
      const tail = parser.pushNdjson('', serialise, true);
      if (tail !== '') out.write(tail, parser.ndjsonAscii);
    } else {
      for await (const batch of parseRecordBatches(all, options, parser)) {
        if (writer && batch.length > 0) {
          writer.write(batch);
          await out.drain();
        }
      }
      writer?.end();
    }
    progress.stop();
    if (accumulator) {
      const report = accumulator.report();
      if (templates)
        report.templates = templates.report(
          report.events,
          format.messageField === undefined ? 0 : report.events,
          flags.topTemplates ?? 10,
        );
      if (flags.json) out.write(`${JSON.stringify(report)}\n`);
      else {
        if (wantRecords) out.write('\n');
        out.write(renderStatsReport(report, createPalette(shouldColor(flags.color, 1))));
      }
    }
    await out.end();
    // Without the report, lost lines are still accounted for, on stderr.
    if (!stats && parser.malformed > 0)
      note(
        `${parser.malformed} malformed line${parser.malformed === 1 ? '' : 's'} skipped (first: line ${parser.firstMalformedLine}; --stats lists them)`,
      );
    if (!stats && parser.invalidTimestamps > 0)
      note(
        `${parser.invalidTimestamps} line${parser.invalidTimestamps === 1 ? '' : 's'} with an impossible timestamp kept with timestamp null`,
      );
    return ExitCode.Ok;
  } finally {
    progress.stop();
    source.close();
  }
}

/**
 * Feeds messages to a miner: every one of the first EXACT_MESSAGES (or all with `exact`), then each with
 * probability 1 / SAMPLE_EVERY (the parser skips the others without slicing them: geometric gaps drawn from a
 * seeded xorshift, so a log's period cannot alias with a stride). A sampled message's cluster count is raised
 * to stand for SAMPLE_EVERY messages; merges and evictions carry it like any count.
 */
class TemplateCounter {
  /** Messages mined or passed over so far (the skip asked after the last one may run past the input's end). */
  private seen = 0;
  private mined = 0;
  private random = 0x9e3779b9;

  constructor(
    private readonly miner: TemplateMiner,
    private readonly exact: boolean,
  ) {}

  /** The parser's onMessage: mines `message`, returns how many of the following messages to pass over. */
  readonly add = (message: string): number => {
    this.mined++;
    this.seen++;
    // Past the exact part, a mined message stands for the SAMPLE_EVERY messages it was drawn from.
    this.miner.add(message, this.seen > EXACT_MESSAGES && !this.exact ? SAMPLE_EVERY : 1);
    if (this.exact || this.seen < EXACT_MESSAGES) return 0;
    const skip = this.gap();
    this.seen += skip;
    return skip;
  };

  /** Messages before the next sampled one: geometric with success probability 1 / SAMPLE_EVERY. */
  private gap(): number {
    let x = this.random;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    this.random = x;
    const u = ((x >>> 0) + 1) / 4294967297; // in (0, 1)
    return Math.floor(Math.log(u) / Math.log1p(-1 / SAMPLE_EVERY));
  }

  /** `messages`: the events with a message (all of them when the format has a message field). */
  report(events: number, messages: number, top: number): StatsReport['templates'] {
    const all = this.miner.templates();
    return {
      messages,
      mined: this.mined,
      exact: this.mined === messages,
      distinct: all.length,
      top: all.slice(0, top).map(({ id, template, count }) => ({
        id,
        template,
        count,
        percent: events === 0 ? 0 : Math.round((count / events) * 10000) / 100,
      })),
    };
  }
}

function createWriter(form: OutputForm, out: StreamSink, fields: readonly string[]): RecordWriter {
  switch (form) {
    case 'json':
      return new JsonArrayWriter(out, fields);
    case 'csv':
      return new CsvWriter(out, fields);
    case 'table':
      return new TableWriter(out, fields);
    default:
      return new NdjsonWriter(out, fields);
  }
}

function sampleLines(text: string): string[] {
  return text.split('\n', SAMPLE_LINES + 1).slice(0, SAMPLE_LINES);
}

function note(message: string): void {
  try {
    process.stderr.write(`esc parse: ${message}\n`);
  } catch {
    /* stderr gone: nothing to tell */
  }
}
