import { detectFormat } from './format-detect.js';
import { BUILTIN_FORMATS, BUILTIN_FORMAT_NAMES, findBuiltinFormat } from './format-registry.js';
import { compileFormat, InvalidFormatError } from './log-format.js';
import type { FormatDefinition, LogFormat } from './format-types.js';
import type { TimestampOptions, TimestampRule } from './timestamp-rules.js';

/** How the user chose the format (the flags of `esc parse`). */
export interface FormatChoice {
  /** `auto` (default), a built-in or format-file name, or a Loghub format string (it contains `<Field>`). */
  format?: string;
  /** A regular expression with named groups (instead of --format). */
  regex?: string;
  /** `FIELD[,FIELD…]=LAYOUT`, e.g. `Date,Time=yyyy-MM-dd HH:mm:ss,S`: the timestamp of a custom format. */
  timestamp?: string;
  /** A JSON format file defining named formats. */
  formatFile?: string;
}

export interface FormatSelection {
  format: LogFormat;
  /** How it was chosen, for the message on stderr. */
  how: 'named' | 'custom' | 'detected' | 'fallback';
  /** For detection: sample lines matched / tried. */
  matched?: number;
  tried?: number;
}

/**
 * `Date,Time=yyyy-MM-dd HH:mm:ss` → a timestamp rule.
 */
function parseTimestampSpec(spec: string): TimestampRule {
  const eq = spec.indexOf('=');
  if (eq <= 0 || eq === spec.length - 1)
    throw new InvalidFormatError(
      `--timestamp '${spec}': expected FIELD[,FIELD…]=LAYOUT, e.g. Date,Time=yyyy-MM-dd HH:mm:ss`,
    );
  return {
    fields: spec
      .slice(0, eq)
      .split(',')
      .map((f) => f.trim()),
    layout: spec.slice(eq + 1),
  };
}

/**
 * Resolves the flags to one compiled format. `sample` gives the first lines of the input for --format auto.
 * Throws InvalidFormatError for an unknown name, a bad pattern or a bad timestamp rule.
 */
export async function selectFormat(
  choice: FormatChoice,
  sample: readonly string[],
  tsOptions: TimestampOptions = {},
): Promise<FormatSelection> {
  // Loaded on demand: the format file's zod schema is the only reason to load zod at all here.
  const fileFormats: FormatDefinition[] = choice.formatFile
    ? (await import('./format-file.js')).loadFormatFile(choice.formatFile).formats
    : [];
  const timestamp = choice.timestamp === undefined ? undefined : parseTimestampSpec(choice.timestamp);
  const name = choice.format ?? 'auto';
  if (choice.regex !== undefined) {
    if (choice.format !== undefined && choice.format !== 'auto')
      throw new InvalidFormatError('give either --format or --regex, not both');
    return { format: compileFormat({ name: 'regex', regex: choice.regex, timestamp }, tsOptions), how: 'custom' };
  }
  if (name.includes('<'))
    return { format: compileFormat({ name: 'custom', format: name, timestamp }, tsOptions), how: 'custom' };
  if (name === 'auto') {
    // Detection scores the formats with their own timestamp rules; a --timestamp then replaces the winner's.
    const detected = detectFormat(sample, [...fileFormats, ...BUILTIN_FORMATS], tsOptions);
    if (detected) {
      const format = timestamp
        ? compileFormat(withTimestamp(detected.definition, timestamp), tsOptions)
        : detected.format;
      return { format, how: 'detected', matched: detected.matched, tried: detected.tried };
    }
    return {
      format: compileFormat(withTimestamp(BUILTIN_FORMATS[0]!, timestamp), tsOptions),
      how: 'fallback',
      matched: 0,
      tried: sample.filter((l) => l.trim() !== '').length,
    };
  }
  const def = fileFormats.find((f) => f.name === name) ?? findBuiltinFormat(name);
  if (!def)
    throw new InvalidFormatError(
      `unknown format '${name}' (built in: ${BUILTIN_FORMAT_NAMES.join(', ')}${fileFormats.length ? `; in the file: ${fileFormats.map((f) => f.name).join(', ')}` : ''}; or a Loghub format string such as '<Date> <Time> <Level> <Content>')`,
    );
  return { format: compileFormat(withTimestamp(def, timestamp), tsOptions), how: 'named' };
}

/**
 * `def` with the user's --timestamp rule in place of its own. JSON lines find their timestamp by key name, so a
 * rule there would be silently ignored: refused instead.
 */
function withTimestamp(def: FormatDefinition, timestamp: TimestampRule | undefined): FormatDefinition {
  if (!timestamp) return def;
  if (def.json)
    throw new InvalidFormatError(
      `--timestamp does not apply to format '${def.name}' (JSON lines: the timestamp is found by its key name)`,
    );
  return { ...def, timestamp };
}
