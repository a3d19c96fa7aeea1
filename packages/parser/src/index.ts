// The public API of @esc/parser: formats, parsing a line or a stream, statistics, and the printers.
// The zod schemas (format file, stats report) are in '@esc/parser/schemas', so that importing the parser
// does not load zod (a third of a second of start-up on a busy machine).
export { compileFormat, InvalidFormatError } from './log-format.js';
export type { FormatDefinition, LogFormat, ParsedLine } from './format-types.js';
export { BUILTIN_FORMATS, BUILTIN_FORMAT_NAMES, findBuiltinFormat } from './format-registry.js';
export { detectFormat, type Detection } from './format-detect.js';
export { selectFormat, type FormatChoice, type FormatSelection } from './format-selection.js';
export {
  compileTimestampRule,
  parseIsoTimestamp,
  type TimestampRule,
  type TimestampOptions,
  type NormalisedTime,
} from './timestamp-rules.js';
export {
  RecordParser,
  parseRecordBatches,
  parseStream,
  DEFAULT_MAX_LINE_LENGTH,
  type ParsedRecord,
  type ParseStreamOptions,
} from './record-stream.js';
export type { MessageObserver } from './message-tap.js';
export { compileRecordFilter, parseTimeBound, FilterError, type RecordFilterOptions } from './record-filter.js';
export { normaliseLevel } from './level-names.js';
export { StatsAccumulator, type StatsOptions, type StatsEvent } from './stats-accumulator.js';
export type { StatsReport } from './stats-report-schema.js';
export { parseDuration, BUCKET_SIZES } from './histogram.js';
export { headerColumns, OUTPUT_FORMS, type OutputForm, type RecordWriter, type TextSink } from './record-writer.js';
export { NdjsonWriter, recordSerializer } from './ndjson-writer.js';
export { JsonArrayWriter } from './json-array-writer.js';
export { CsvWriter } from './csv-writer.js';
export { readTextChunks } from './text-chunks.js';
export { StreamSink } from './stream-sink.js';
