import type { MessageTap } from './message-tap.js';
import type { NdjsonLineScanner, StatsLineScanner } from './hdfs-fast-path.js';
import type { StatsAccumulator } from './stats-accumulator.js';
import type { NormalisedTime } from './timestamp-rules.js';

// The shapes of a format and a parsed line, apart from the compiler (log-format.ts) so the registry and the
// JSON-lines reader can name them without importing the compiler that imports them.

/**
 * A format: a name, a line pattern (exactly one of `format`, a Loghub format string; `regex`, named groups;
 * or `json: true`, JSON lines) and a timestamp rule. Format files are validated against
 * formatDefinitionSchema (format-definition-schema.ts), which describes each field.
 */
export interface FormatDefinition {
  name: string;
  description?: string;
  format?: string;
  regex?: string;
  json?: boolean;
  fieldPatterns?: Record<string, string>;
  timestamp?: { fields: string[]; layout: string };
  level?: string;
  component?: string;
  message?: string;
}

/** One parsed line. */
export interface ParsedLine {
  fields: Record<string, string>;
  /** The normalised time; null when the line has no timestamp rule or its date is impossible. */
  time: NormalisedTime | null;
  /** True when the format has a timestamp but this line's could not be read (month 13, 30 February). */
  invalidTimestamp: boolean;
  /** 1-based line number in the input, set by the stream parser (0 from a bare `parse`). */
  line: number;
  /** The level, component and message fields' values, when the format has them (for statistics and filters). */
  level: string | undefined;
  component: string | undefined;
  message: string | undefined;
}

export interface LogFormat {
  readonly name: string;
  readonly description: string;
  /** Field names in output order (empty for JSON lines, whose fields vary by line). */
  readonly fields: readonly string[];
  readonly hasTimestamp: boolean;
  readonly levelField: string | undefined;
  readonly componentField: string | undefined;
  readonly messageField: string | undefined;
  /** Parses one line (without its newline); null when the line does not match the format. */
  parse(line: string): ParsedLine | null;
  /** A faster statistics-only path, when the format has one (the built-in hdfs). */
  readonly statsScanner?: (stats: StatsAccumulator, maxLineLength: number, messages?: MessageTap) => StatsLineScanner;
  /** A faster NDJSON path (no filter, no statistics), when the format has one (the built-in hdfs). */
  readonly ndjsonScanner?: (maxLineLength: number) => NdjsonLineScanner;
}
