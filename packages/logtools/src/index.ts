export {};
// loggrep
export { loggrep, type LoggrepOptions, type LoggrepEvents, type LoggrepResult } from './loggrep.js';
export { LineMatcher, InvalidPatternError, type MatcherOptions } from './line-matcher.js';
export { resolveOperands, type Operands } from './operand-order.js';
export { parseGrepColors, type GrepColors } from './grep-colors.js';
export type { GrepStatsSummary } from './grep-stats.js';
export type { GrepRecord, MatchRange } from './json-printer.js';
// logread and logtail
export { logread, type LogreadOptions, type OutputSink } from './logread.js';
export { logtail, printTail, type LogtailOptions, type TailSink, type TailedInput } from './logtail.js';
export { parseCount, type TailCount } from './byte-size.js';
export { findTailStart } from './backward-reader.js';
export { TailRing } from './tail-ring.js';
export type { FollowMode } from './file-follower.js';
export type { HeaderMode } from './file-headers.js';
