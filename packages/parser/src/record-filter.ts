import { compileUserPattern, UnsafePatternError } from '@esc/core';
import { parseDuration } from './histogram.js';
import type { ParsedLine } from './format-types.js';
import { normaliseLevel } from './level-names.js';
import { parseIsoTimestamp } from './timestamp-rules.js';

export interface RecordFilterOptions {
  /** Keep only these levels (compared after normalisation: `warning` is WARN). */
  levels?: readonly string[];
  /** Keep records at or after this time: ISO-8601, or relative to now such as `-2h`, `-30m`, `-1d`. */
  since?: string;
  /** Keep records at or before this time (same forms as since). */
  until?: string;
  /** Keep records whose message (content) matches this regular expression. */
  grep?: string;
  /** "Now" for relative times (tests pin it). */
  now?: Date;
}

export class FilterError extends Error {}

/**
 * A time bound as wall-clock seconds: ISO-8601 (`2008-11-09T20:36`, a date alone, with or without offset;
 * compared with the written times, offsets ignored) or relative to now (`-2h`, `-30m`, `-1d`), now being the
 * local wall-clock time of this machine.
 */
export function parseTimeBound(text: string, now: Date = new Date()): number {
  const rel = /^-(.+)$/.exec(text.trim());
  if (rel) {
    const d = parseDuration(rel[1]!);
    if (d === null) throw new FilterError(`invalid relative time '${text}' (e.g. -30m, -2h, -1d)`);
    return Math.floor(now.getTime() / 1000) - now.getTimezoneOffset() * 60 - d;
  }
  const t = parseIsoTimestamp(text);
  if (t === null) throw new FilterError(`invalid time '${text}' (use ISO-8601 such as 2008-11-09T20:36:00, or -2h)`);
  return t.seconds;
}

/** Compiles the filters into one predicate; undefined when there is nothing to filter. */
export function compileRecordFilter(options: RecordFilterOptions): ((line: ParsedLine) => boolean) | undefined {
  const levels = options.levels && options.levels.length > 0 ? new Set(options.levels.map(normaliseLevel)) : undefined;
  const since = options.since === undefined ? undefined : parseTimeBound(options.since, options.now);
  const until = options.until === undefined ? undefined : parseTimeBound(options.until, options.now);
  let grep: RegExp | undefined;
  if (options.grep !== undefined) {
    try {
      grep = compileUserPattern(options.grep);
    } catch (err) {
      if (err instanceof UnsafePatternError) throw err;
      throw new FilterError(`invalid --grep pattern: ${(err as Error).message}`);
    }
  }
  if (!levels && since === undefined && until === undefined && !grep) return undefined;
  return (p) => {
    if (levels && (p.level === undefined || !levels.has(normaliseLevel(p.level)))) return false;
    if (since !== undefined && (p.time === null || p.time.seconds < since)) return false;
    if (until !== undefined && (p.time === null || p.time.seconds > until)) return false;
    if (grep && !grep.test(p.message ?? Object.values(p.fields).join(' '))) return false;
    return true;
  };
}
