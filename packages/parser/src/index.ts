// The public API of @esc/parser: formats, parsing a line or a stream, statistics, and the printers.
export { compileFormat, formatDefinitionSchema, InvalidFormatError, type FormatDefinition, type LogFormat, type ParsedLine } from './log-format.js';
export { BUILTIN_FORMATS, BUILTIN_FORMAT_NAMES, findBuiltinFormat } from './format-registry.js';
export { compileLoghubFormat } from './loghub-format.js';
export { detectFormat, type Detection } from './format-detect.js';
export { formatFileSchema, loadFormatFile, type FormatFile } from './format-file.js';
export { selectFormat, parseTimestampSpec, type FormatChoice, type FormatSelection } from './format-selection.js';
export {
  compileTimestampRule,
  parseIsoTimestamp,
  defaultYear,
  type TimestampRule,
  type TimestampOptions,
  type NormalisedTime,
} from './timestamp-rules.js';
export { RecordParser, parseRecordBatches, parseRecords, DEFAULT_MAX_LINE_LENGTH, type ParsedRecord, type ParseStreamOptions } from './record-stream.js';
export { compileRecordFilter, parseTimeBound, FilterError, type RecordFilterOptions } from './record-filter.js';
export { normaliseLevel } from './level-names.js';
export { StatsAccumulator, type StatsOptions, type StatsEvent } from './stats-accumulator.js';
export { statsReportSchema, type StatsReport } from './stats-report.js';
export { renderStatsReport, type Palette } from './stats-printer.js';
export { parseDuration, BUCKET_SIZES } from './histogram.js';
export { OUTPUT_FORMS, type OutputForm, type RecordWriter, type TextSink } from './record-writer.js';
export { NdjsonWriter, recordJson } from './ndjson-writer.js';
export { JsonArrayWriter } from './json-array-writer.js';
export { CsvWriter } from './csv-writer.js';
export { TableWriter } from './table-writer.js';
export { createProgress, progressWanted, type Progress } from './progress-bar.js';
