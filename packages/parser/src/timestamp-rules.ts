/**
 * Timestamp rules: which fields make a record's time and in what layout, compiled once into a function that
 * turns those field values into a normalised ISO-8601 string plus a numeric wall-clock second for statistics.
 *
 * Layout tokens (everything else is literal text):
 *   yyyy year · yy two-digit year (00–68 → 20xx, 69–99 → 19xx, as strptime's %y) · MM month 01–12 ·
 *   M month 1–12 · MMM month name (Jan…Dec) · dd day 01–31 · d day 1–31 · HH hour 00–23 · H hour 0–23 ·
 *   mm minute · ss second · S fraction of a second (1–9 digits, kept as written) · EEE weekday name (ignored) ·
 *   Z zone offset (Z, +01, +0100, +01:00) · and the whole layout `epoch` (seconds since 1970, UTC) or
 *   `epochms` (milliseconds).
 */

export interface TimestampRule {
  /** Field names whose values, joined by one space, are read with `layout`. */
  fields: string[];
  layout: string;
}

export interface TimestampOptions {
  /** Year for layouts without one (syslog's `Dec 10 06:55:46`). Default: see `defaultYear`. */
  year?: number;
  /** Offset appended to zone-less timestamps, `+02:00`, `-0500` or `Z`. Default: none (local wall-clock time). */
  tz?: string;
  /** "Now", for the default-year rule (tests pin it). */
  now?: Date;
}

/** A normalised time: the ISO-8601 text and its wall-clock seconds since 1970 (the written time read as UTC). */
export interface NormalisedTime {
  iso: string;
  seconds: number;
}

/** Turns the values of the rule's fields into a time, or null when they do not fit the layout or are impossible. */
export type TimestampReader = (values: readonly string[]) => NormalisedTime | null;

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];

type Part =
  | 'year'
  | 'year2'
  | 'month'
  | 'monthName'
  | 'day'
  | 'hour'
  | 'minute'
  | 'second'
  | 'fraction'
  | 'weekday'
  | 'zone';

// Longest tokens first so `yyyy` is not read as two `yy`.
const TOKENS: [string, Part, string][] = [
  ['yyyy', 'year', '(\\d{4})'],
  ['yy', 'year2', '(\\d{2})'],
  ['MMM', 'monthName', '([A-Za-z]{3})'],
  ['MM', 'month', '(\\d{2})'],
  ['M', 'month', '(\\d{1,2})'],
  ['dd', 'day', '(\\d{2})'],
  ['d', 'day', '(\\d{1,2})'],
  ['HH', 'hour', '(\\d{2})'],
  ['H', 'hour', '(\\d{1,2})'],
  ['mm', 'minute', '(\\d{2})'],
  ['ss', 'second', '(\\d{2})'],
  ['S', 'fraction', '(\\d{1,9})'],
  ['EEE', 'weekday', '([A-Za-z]{3})'],
  ['Z', 'zone', '(Z|[+-]\\d{2}(?::?\\d{2})?)'],
];

export class TimestampRuleError extends Error {}

/** Days in `month` (1–12) of `year`, proleptic Gregorian. */
function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

/** Seconds since 1970 of a civil date-time read as UTC; arithmetic only (Howard Hinnant's days_from_civil). */
export function civilSeconds(
  year: number,
  month: number,
  day: number,
  hour: number,
  minute: number,
  second: number,
): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (month + (month > 2 ? -3 : 9)) + 2) / 5) + day - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  const days = era * 146097 + doe - 719468;
  return days * 86400 + hour * 3600 + minute * 60 + second;
}

/**
 * The year given to a date written without one: the current year, unless that puts the date more than a day
 * in the future, in which case the year before (a December log read in January belongs to last year).
 * @internal Used inside the package and by its tests; not part of the public API.
 */
export function defaultYear(month: number, day: number, now: Date): number {
  const year = now.getUTCFullYear();
  const candidate = civilSeconds(year, month, Math.min(day, daysInMonth(year, month)), 0, 0, 0);
  return candidate > now.getTime() / 1000 + 86400 ? year - 1 : year;
}

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

/** `+02:00` form of an offset written as Z, +02, +0200 or +02:00; null when it is not an offset. */
function normaliseOffset(text: string): string | null {
  if (text === 'Z' || text === 'z') return 'Z';
  const m = /^([+-])(\d{2}):?(\d{2})?$/.exec(text);
  if (!m) return null;
  const h = Number(m[2]);
  const mi = Number(m[3] ?? '0');
  if (h > 23 || mi > 59) return null;
  return `${m[1]}${m[2]}:${pad(mi)}`;
}

function formatIso(
  y: number,
  mo: number,
  d: number,
  h: number,
  mi: number,
  s: number,
  fraction: string,
  offset: string,
): string {
  const year = y >= 0 && y <= 9999 ? pad(y, 4) : (y < 0 ? '-' : '+') + pad(Math.abs(y), 6);
  return `${year}-${pad(mo)}-${pad(d)}T${pad(h)}:${pad(mi)}:${pad(s)}${fraction ? `.${fraction}` : ''}${offset}`;
}

/** Validates the parts and builds the time; null for an impossible date (month 13, 30 February, 25:00). */
function buildTime(
  year: number,
  month: number,
  day: number,
  hour: number,
  minute: number,
  second: number,
  fraction: string,
  offset: string,
): NormalisedTime | null {
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return null;
  if (hour > 23 || minute > 59 || second > 59) return null;
  return {
    iso: formatIso(year, month, day, hour, minute, second, fraction, offset),
    seconds: civilSeconds(year, month, day, hour, minute, second),
  };
}

/** Seconds (or ms) since 1970 rendered in UTC with a `Z`: an epoch is an absolute instant. */
export function epochTime(text: string, unit: 'epoch' | 'epochms'): NormalisedTime | null {
  if (!/^-?\d{1,16}(\.\d{1,9})?$/.test(text)) return null;
  const [whole, frac = ''] = text.split('.');
  let secs = Number(whole);
  let fraction = frac;
  if (unit === 'epochms') {
    const ms = secs;
    secs = Math.floor(ms / 1000);
    fraction = pad(ms - secs * 1000, 3) + frac;
  }
  const d = new Date(secs * 1000);
  if (Number.isNaN(d.getTime())) return null;
  return {
    iso: formatIso(
      d.getUTCFullYear(),
      d.getUTCMonth() + 1,
      d.getUTCDate(),
      d.getUTCHours(),
      d.getUTCMinutes(),
      d.getUTCSeconds(),
      fraction,
      'Z',
    ),
    seconds: secs,
  };
}

/** Compiles a rule's layout. Throws TimestampRuleError for a layout it cannot read. */
export function compileTimestampRule(rule: TimestampRule, options: TimestampOptions = {}): TimestampReader {
  const tzOffset = options.tz === undefined ? '' : normaliseOffset(options.tz);
  if (tzOffset === null)
    throw new TimestampRuleError(`invalid time zone offset '${options.tz}' (use Z, +02:00 or -0500)`);
  const join = (values: readonly string[]) => (values.length === 1 ? values[0]! : values.join(' '));
  if (rule.layout === 'epoch' || rule.layout === 'epochms') {
    const unit = rule.layout;
    return (values) => epochTime(join(values).trim(), unit);
  }
  const parts: Part[] = [];
  let source = '';
  for (let i = 0; i < rule.layout.length; ) {
    const token = TOKENS.find(([t]) => rule.layout.startsWith(t, i));
    if (token) {
      parts.push(token[1]);
      source += token[2];
      i += token[0].length;
    } else {
      source += rule.layout[i]!.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      i++;
    }
  }
  const has = (p: Part) => parts.includes(p);
  if (!has('month') && !has('monthName'))
    throw new TimestampRuleError(`timestamp layout '${rule.layout}' has no month (MM, M or MMM)`);
  if (!has('day')) throw new TimestampRuleError(`timestamp layout '${rule.layout}' has no day (dd or d)`);
  const re = new RegExp(`^${source}$`);
  const now = options.now ?? new Date();
  return (values) => {
    const m = re.exec(join(values));
    if (!m) return null;
    let year = -1;
    let month = 0;
    let day = 0;
    let hour = 0;
    let minute = 0;
    let second = 0;
    let fraction = '';
    let offset = tzOffset;
    for (let k = 0; k < parts.length; k++) {
      const v = m[k + 1]!;
      switch (parts[k]) {
        case 'year':
          year = Number(v);
          break;
        case 'year2': {
          const n = Number(v);
          year = n < 69 ? 2000 + n : 1900 + n;
          break;
        }
        case 'month':
          month = Number(v);
          break;
        case 'monthName':
          month = MONTHS.indexOf(v.toLowerCase()) + 1;
          break;
        case 'day':
          day = Number(v);
          break;
        case 'hour':
          hour = Number(v);
          break;
        case 'minute':
          minute = Number(v);
          break;
        case 'second':
          second = Number(v);
          break;
        case 'fraction':
          fraction = v;
          break;
        case 'weekday':
          break;
        case 'zone': {
          const o = normaliseOffset(v);
          if (o === null) return null;
          offset = o;
          break;
        }
      }
    }
    if (year < 0) year = options.year ?? defaultYear(month, day, now);
    return buildTime(year, month, day, hour, minute, second, fraction, offset);
  };
}

/**
 * Reads an ISO-8601 date-time as structured logs write it (`2024-03-01T12:00:00Z`, `2024-03-01 12:00:00.123+01:00`,
 * or a date alone). Used for JSON lines and for --since/--until.
 */
export function parseIsoTimestamp(text: string, tz = ''): NormalisedTime | null {
  const m =
    /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?)?\s*(Z|z|[+-]\d{2}(?::?\d{2})?)?$/.exec(
      text.trim(),
    );
  if (!m) return null;
  const offset = m[8] === undefined ? tz : normaliseOffset(m[8]);
  if (offset === null) return null;
  return buildTime(
    Number(m[1]),
    Number(m[2]),
    Number(m[3]),
    Number(m[4] ?? 0),
    Number(m[5] ?? 0),
    Number(m[6] ?? 0),
    m[7] ?? '',
    offset,
  );
}
