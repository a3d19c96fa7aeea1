// loggrep
export {
  loggrep,
  type LoggrepOptions,
  type LoggrepEvents,
  type LoggrepResult,
  type SearchInput,
  type LineTally,
  outputNeedsLines,
} from './loggrep.js';
export { analyzePattern } from './pattern-literals.js';
export { LineMatcher, type MatcherOptions } from './line-matcher.js';
export { InvalidPatternError } from '@esc/core';
export { resolveOperands, type Operands } from './operand-order.js';
export { parseGrepColors, type GrepColors } from './grep-colors.js';
export type { GrepStatsSummary } from './grep-stats.js';
export type { GrepRecord, MatchRange } from './json-printer.js';
// logread and logtail
export { logread, type LogreadOptions, type OutputSink } from './logread.js';
export { logtail } from './logtail.js';
export type { FollowMode, LogtailOptions, TailSink, TailedInput } from './logtail-options.js';
export { parseCount, type TailCount } from './byte-size.js';
export type { HeaderMode } from './file-headers.js';
