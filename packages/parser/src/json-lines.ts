import type { ParsedLine } from './format-types.js';
import { epochTime, parseIsoTimestamp, type NormalisedTime } from './timestamp-rules.js';

// The usual names structured loggers (pino, bunyan, logrus, zap, Logstash, Serilog) give these fields, by preference.
const TIME_KEYS = ['timestamp', '@timestamp', 'time', 'ts', 'datetime', 'date', '@t'];
const LEVEL_KEYS = ['level', 'severity', 'loglevel', 'log_level', 'lvl', '@l'];
const COMPONENT_KEYS = ['component', 'logger', 'name', 'module', 'source', 'service'];
const MESSAGE_KEYS = ['message', 'msg', '@m', '@mt', 'content', 'text'];

// pino and bunyan write numeric levels.
const NUMERIC_LEVELS: Record<number, string> = {
  10: 'TRACE',
  20: 'DEBUG',
  30: 'INFO',
  40: 'WARN',
  50: 'ERROR',
  60: 'FATAL',
};

function firstKey(obj: Record<string, unknown>, keys: readonly string[]): string | undefined {
  for (const k of keys) if (Object.hasOwn(obj, k)) return k;
  return undefined;
}

const asText = (v: unknown): string =>
  typeof v === 'string'
    ? v
    : v === null || v === undefined
      ? ''
      : typeof v === 'object'
        ? JSON.stringify(v)
        : String(v);

/** Reads a time written as ISO-8601 text or as a number of seconds / milliseconds since 1970. */
function readTime(value: unknown, tz: string | undefined): NormalisedTime | null {
  if (typeof value === 'number' && Number.isFinite(value)) {
    // Numbers above 1e11 cannot be seconds of this era: they are milliseconds (Date.now()).
    return value > 1e11 ? epochTime(String(Math.trunc(value)), 'epochms') : epochTime(String(value), 'epoch');
  }
  if (typeof value === 'string') {
    if (/^\d{9,13}(\.\d+)?$/.test(value)) return readTime(Number(value), tz);
    return parseIsoTimestamp(value, tz ?? '');
  }
  return null;
}

/**
 * Parses one JSON line: an object a line. Its top-level keys become the fields (non-string values as JSON
 * text); null when the line is not a JSON object.
 */
export function parseJsonLine(line: string, tz?: string): ParsedLine | null {
  const text = line.trim();
  if (text.charCodeAt(0) !== 123 /* { */) return null;
  let obj: unknown;
  try {
    obj = JSON.parse(text);
  } catch {
    return null;
  }
  if (obj === null || typeof obj !== 'object' || Array.isArray(obj)) return null;
  const rec = obj as Record<string, unknown>;
  const fields: Record<string, string> = {};
  for (const k of Object.keys(rec)) fields[k] = asText(rec[k]);
  const timeKey = firstKey(rec, TIME_KEYS);
  const levelKey = firstKey(rec, LEVEL_KEYS);
  const componentKey = firstKey(rec, COMPONENT_KEYS);
  const messageKey = firstKey(rec, MESSAGE_KEYS);
  const time = timeKey === undefined ? null : readTime(rec[timeKey], tz);
  const rawLevel = levelKey === undefined ? undefined : rec[levelKey];
  const level =
    typeof rawLevel === 'number'
      ? (NUMERIC_LEVELS[rawLevel] ?? String(rawLevel))
      : rawLevel === undefined
        ? undefined
        : asText(rawLevel);
  return {
    fields,
    time,
    invalidTimestamp: timeKey !== undefined && time === null,
    line: 0,
    level,
    component: componentKey === undefined ? undefined : fields[componentKey],
    message: messageKey === undefined ? undefined : fields[messageKey],
  };
}
