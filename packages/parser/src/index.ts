export { compileFormat, formatDefinitionSchema, InvalidFormatError, type FormatDefinition, type LogFormat, type ParsedLine } from './log-format.js';
export { BUILTIN_FORMATS, BUILTIN_FORMAT_NAMES, findBuiltinFormat } from './format-registry.js';
export { compileLoghubFormat } from './loghub-format.js';
export { compileTimestampRule, parseIsoTimestamp, defaultYear, type TimestampRule, type TimestampOptions, type NormalisedTime } from './timestamp-rules.js';
