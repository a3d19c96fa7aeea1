import type { MessageTap } from './message-tap.js';
import { compileUserPattern, InvalidPatternError, UnsafePatternError } from '@esc/core';
import { compileLoghubFormat, FormatSyntaxError, namedGroups } from './loghub-format.js';
import {
  compileTimestampRule,
  TimestampRuleError,
  type NormalisedTime,
  type TimestampOptions,
  type TimestampReader,
} from './timestamp-rules.js';
import { parseJsonLine } from './json-lines.js';
import { BUILTIN_FORMATS } from './format-registry.js';
import { createHdfsNdjsonScanner, createHdfsStatsScanner } from './hdfs-fast-path.js';
import type { FormatDefinition, LogFormat } from './format-types.js';
import type { StatsAccumulator } from './stats-accumulator.js';

export class InvalidFormatError extends Error {}

const LEVEL_NAMES = ['level', 'severity', 'loglevel', 'log_level', 'lvl', 'priority'];
const COMPONENT_NAMES = ['component', 'logger', 'source', 'module', 'program', 'service'];
const MESSAGE_NAMES = ['content', 'message', 'msg', 'text'];

/** The first field whose name (case-insensitive) is one of `names`. */
function guessField(fields: readonly string[], names: readonly string[]): string | undefined {
  for (const n of names) {
    const hit = fields.find((f) => f.toLowerCase() === n);
    if (hit !== undefined) return hit;
  }
  return undefined;
}

/** Compiles a definition into a LogFormat. Throws InvalidFormatError naming what is wrong. */
export function compileFormat(input: FormatDefinition, tsOptions: TimestampOptions = {}): LogFormat {
  // Definitions from files were validated with zod already; this guards the API (zod stays off the start-up path).
  const def = { description: '', json: false, fieldPatterns: {}, ...input };
  if ([def.format !== undefined, def.regex !== undefined, def.json].filter(Boolean).length !== 1)
    throw new InvalidFormatError(`format '${def.name}': give exactly one of format, regex or json`);
  if (def.json) return jsonLinesFormat(def.name, def.description, tsOptions);
  let fields: string[];
  let regex: RegExp;
  let trim: boolean;
  try {
    if (def.format !== undefined) {
      ({ fields, regex } = compileLoghubFormat(def.format, def.fieldPatterns));
      trim = true;
    } else {
      regex = compileUserPattern(def.regex!, { flags: 's' });
      fields = namedGroups(regex);
      if (fields.length === 0) throw new FormatSyntaxError('the regex has no named group (?<name>…)');
      trim = false;
    }
  } catch (err) {
    if (
      err instanceof SyntaxError ||
      err instanceof FormatSyntaxError ||
      err instanceof InvalidPatternError ||
      err instanceof UnsafePatternError
    )
      throw new InvalidFormatError(`format '${def.name}': ${err.message}`);
    throw err;
  }
  let readTime: TimestampReader | undefined;
  let tsIndexes: number[] = [];
  if (def.timestamp) {
    tsIndexes = def.timestamp.fields.map((f) => {
      const i = fields.indexOf(f);
      if (i < 0)
        throw new InvalidFormatError(
          `format '${def.name}': timestamp field '${f}' is not a field (have: ${fields.join(', ')})`,
        );
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
    if (f !== undefined && !fields.includes(f))
      throw new InvalidFormatError(`format '${def.name}': '${f}' is not a field`);
    return f;
  };
  const byGroup = def.format !== undefined;
  const n = fields.length;
  const groupNames = fields.map((f, i) => (byGroup ? `esc_f${i}` : f));
  // Reading groups by number avoids building the groups object on every match.
  const groupIndexes = capturingGroupIndexes(regex.source, groupNames);
  // With indexes known, our own group names are dropped from the regex too: V8 then builds no groups object.
  if (groupIndexes !== null && byGroup) regex = new RegExp(regex.source.replace(/\(\?<esc_f\d+>/g, '('), regex.flags);
  const levelField = check(def.level) ?? guessField(fields, LEVEL_NAMES);
  const componentField = check(def.component) ?? guessField(fields, COMPONENT_NAMES);
  const messageField = check(def.message) ?? guessField(fields, MESSAGE_NAMES);
  // Only the built-in hdfs definition itself (not a copy with another timestamp) has the fast paths.
  const builtinHdfs = input === BUILTIN_FORMATS[0] && readTime !== undefined;
  const statsScanner = builtinHdfs
    ? (stats: StatsAccumulator, max: number, messages?: MessageTap) =>
        createHdfsStatsScanner(readTime!, stats, max, messages)
    : undefined;
  const ndjsonScanner = builtinHdfs ? (max: number) => createHdfsNdjsonScanner(readTime!, max) : undefined;
  // One-entry cache: consecutive lines mostly share their timestamp text.
  let lastTsValues: string[] = [];
  let lastTime: NormalisedTime | null = null;
  const tsCount = tsIndexes.length;
  return {
    statsScanner,
    ndjsonScanner,
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
      const values: Record<string, string> = {};
      if (groupIndexes !== null) for (let i = 0; i < n; i++) values[fields[i]!] = m[groupIndexes[i]!] ?? '';
      else {
        const groups = m.groups!;
        for (let i = 0; i < n; i++) values[fields[i]!] = groups[groupNames[i]!] ?? '';
      }
      const level = levelField === undefined ? undefined : values[levelField];
      const component = componentField === undefined ? undefined : values[componentField];
      const message = messageField === undefined ? undefined : values[messageField];
      if (readTime === undefined)
        return { fields: values, time: null, invalidTimestamp: false, line: 0, level, component, message };
      let same = lastTsValues.length === tsCount;
      for (let k = 0; same && k < tsCount; k++) same = lastTsValues[k] === values[fields[tsIndexes[k]!]!];
      let time = lastTime;
      if (!same) {
        lastTsValues = tsIndexes.map((i) => values[fields[i]!]!);
        time = lastTime = readTime(lastTsValues);
      }
      return { fields: values, time, invalidTimestamp: time === null, line: 0, level, component, message };
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

/**
 * The capture index of each named group in `source`, or null if the pattern is too unusual to count
 * reliably (then groups are read by name). Counts `(` that open a capturing group, skipping escapes and
 * character classes.
 */
function capturingGroupIndexes(source: string, names: readonly string[]): number[] | null {
  const byName = new Map<string, number>();
  let index = 0;
  let inClass = false;
  for (let i = 0; i < source.length; i++) {
    const c = source[i];
    if (c === '\\') {
      i++;
      continue;
    }
    if (inClass) {
      if (c === ']') inClass = false;
      continue;
    }
    if (c === '[') inClass = true;
    else if (c === '(') {
      if (source[i + 1] !== '?') index++;
      else if (source[i + 2] === '<' && source[i + 3] !== '=' && source[i + 3] !== '!') {
        index++;
        const close = source.indexOf('>', i);
        byName.set(source.slice(i + 3, close), index);
      }
    }
  }
  const out = names.map((n) => byName.get(n));
  return out.every((i) => i !== undefined) ? (out as number[]) : null;
}
