import { z } from 'zod';
import { compileLoghubFormat, FormatSyntaxError, namedGroups } from './loghub-format.js';
import { compileTimestampRule, TimestampRuleError, type NormalisedTime, type TimestampOptions, type TimestampReader } from './timestamp-rules.js';
import { parseJsonLine } from './json-lines.js';

/**
 * A format is a name, a line pattern and a timestamp rule. This is the schema of one entry in a format file
 * (and of the built-ins); exactly one of `format` (Loghub style), `regex` (named groups) or `json: true`.
 */
export const formatDefinitionSchema = z
  .object({
    name: z.string().min(1),
    description: z.string().default(''),
    /** Loghub-style format string: `<Date> <Time> <Level> <Component>: <Content>`. */
    format: z.string().optional(),
    /** A regular expression with named groups; the groups are the fields. */
    regex: z.string().optional(),
    /** JSON lines: one object a line; timestamp, level and message found by their usual names. */
    json: z.boolean().default(false),
    /** Tighter patterns for some fields of a Loghub format string (default `.*?`). */
    fieldPatterns: z.record(z.string(), z.string()).default({}),
    timestamp: z.object({ fields: z.array(z.string()).min(1), layout: z.string().min(1) }).optional(),
    /** Which field holds the level, the component and the message (guessed from the names when omitted). */
    level: z.string().optional(),
    component: z.string().optional(),
    message: z.string().optional(),
  })
  .refine((d) => [d.format !== undefined, d.regex !== undefined, d.json].filter(Boolean).length === 1, {
    message: 'give exactly one of format, regex or json',
  });

export type FormatDefinition = z.input<typeof formatDefinitionSchema>;

/** One parsed line. */
export interface ParsedLine {
  fields: Record<string, string>;
  /** The normalised time; null when the line has no timestamp rule or its date is impossible. */
  time: NormalisedTime | null;
  /** True when the format has a timestamp but this line's could not be read (month 13, 30 February). */
  invalidTimestamp: boolean;
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
}

export class InvalidFormatError extends Error {}

const LEVEL_NAMES = ['level', 'severity', 'loglevel', 'log_level', 'lvl', 'priority'];
const COMPONENT_NAMES = ['component', 'logger', 'source', 'module', 'program', 'service'];
const MESSAGE_NAMES = ['content', 'message', 'msg', 'text'];

/** The first field whose name (case-insensitive) is one of `names`. */
export function guessField(fields: readonly string[], names: readonly string[]): string | undefined {
  for (const n of names) {
    const hit = fields.find((f) => f.toLowerCase() === n);
    if (hit !== undefined) return hit;
  }
  return undefined;
}

/** Compiles a definition into a LogFormat. Throws InvalidFormatError naming what is wrong. */
export function compileFormat(input: FormatDefinition, tsOptions: TimestampOptions = {}): LogFormat {
  const parsed = formatDefinitionSchema.safeParse(input);
  if (!parsed.success) throw new InvalidFormatError(`format '${input.name}': ${parsed.error.issues[0]?.message}`);
  const def = parsed.data;
  if (def.json) return jsonLinesFormat(def.name, def.description, tsOptions);
  let fields: string[];
  let regex: RegExp;
  let trim: boolean;
  try {
    if (def.format !== undefined) {
      ({ fields, regex } = compileLoghubFormat(def.format, def.fieldPatterns));
      trim = true;
    } else {
      regex = new RegExp(def.regex!, 's');
      fields = namedGroups(regex);
      if (fields.length === 0) throw new FormatSyntaxError('the regex has no named group (?<name>…)');
      trim = false;
    }
  } catch (err) {
    if (err instanceof SyntaxError || err instanceof FormatSyntaxError) throw new InvalidFormatError(`format '${def.name}': ${err.message}`);
    throw err;
  }
  let readTime: TimestampReader | undefined;
  let tsIndexes: number[] = [];
  if (def.timestamp) {
    tsIndexes = def.timestamp.fields.map((f) => {
      const i = fields.indexOf(f);
      if (i < 0) throw new InvalidFormatError(`format '${def.name}': timestamp field '${f}' is not a field (have: ${fields.join(', ')})`);
      return i;
    });
    try {
      readTime = compileTimestampRule(def.timestamp, tsOptions);
    } catch (err) {
      if (err instanceof TimestampRuleError) throw new InvalidFormatError(`format '${def.name}': ${err.message}`);
      throw err;
    }
  }
  const check = (f: string | undefined) => {
    if (f !== undefined && !fields.includes(f)) throw new InvalidFormatError(`format '${def.name}': '${f}' is not a field`);
    return f;
  };
  const byGroup = def.format !== undefined;
  const n = fields.length;
  const groupNames = fields.map((f, i) => (byGroup ? `esc_f${i}` : f));
  const levelField = check(def.level) ?? guessField(fields, LEVEL_NAMES);
  const componentField = check(def.component) ?? guessField(fields, COMPONENT_NAMES);
  const messageField = check(def.message) ?? guessField(fields, MESSAGE_NAMES);
  return {
    name: def.name,
    description: def.description,
    fields,
    hasTimestamp: readTime !== undefined,
    levelField,
    componentField,
    messageField,
    parse(line) {
      const m = regex.exec(trim ? line.trim() : line);
      if (m === null) return null;
      const groups = m.groups!;
      const values: Record<string, string> = {};
      for (let i = 0; i < n; i++) values[fields[i]!] = groups[groupNames[i]!] ?? '';
      const level = levelField === undefined ? undefined : values[levelField];
      const component = componentField === undefined ? undefined : values[componentField];
      const message = messageField === undefined ? undefined : values[messageField];
      if (readTime === undefined) return { fields: values, time: null, invalidTimestamp: false, level, component, message };
      const time = readTime(tsIndexes.map((i) => values[fields[i]!]!));
      return { fields: values, time, invalidTimestamp: time === null, level, component, message };
    },
  };
}

function jsonLinesFormat(name: string, description: string, tsOptions: TimestampOptions): LogFormat {
  return {
    name,
    description,
    fields: [],
    hasTimestamp: true,
    levelField: 'level',
    componentField: 'component',
    messageField: 'message',
    parse: (line) => parseJsonLine(line, tsOptions.tz),
  };
}
