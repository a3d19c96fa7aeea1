import { compileUserPattern, InvalidPatternError, UnsafePatternError } from '@esc/core';
import { normaliseLevel, parseDuration } from '@esc/parser';
import type { EventLog } from './event-log.js';
import { parseIsoTime, type LogEvent } from './log-event.js';
import type { LogIndex } from './log-index.js';
import type { OffsetList } from './offset-list.js';

/** A query parameter that cannot be understood: 400 naming it. */
export class QueryError extends Error {
  constructor(
    message: string,
    readonly field: string,
  ) {
    super(message);
    this.name = 'QueryError';
  }
}

export interface LogQuery {
  level?: string;
  service?: string;
  /** Event time bounds in ms, inclusive. */
  since: number;
  until: number;
  /** The text condition on the message: a substring, or a `/regex/` compiled safely. */
  matches?: (message: string) => boolean;
  limit: number;
  /** Only offsets below this (the cursor of the previous page). */
  before: number;
}

const DEFAULT_LIMIT = 100;
const MAX_LIMIT = 10_000;
/** Index entries one request may look at; past it the reply stops early with a `next` cursor. */
const MAX_EXAMINED = 2_000_000;
/** Events one request may read from the topic to test `q`; past it, the same. */
const MAX_TESTED = 20_000;
const Q_CHUNK = 256;

/**
 * GET /logs's parameters: level (any case; WARNING = WARN), service, since/until (ISO 8601, or relative to
 * now: `-15m`, `-2h`, `-1d`), q (substring, or `/regex/flags` with i, m, s), limit, cursor. `defaultSince`
 * applies when `since` is absent (LogStream's "without a level, the last hour").
 */
export function parseLogQuery(
  params: Record<string, string | undefined>,
  now: number,
  defaultSince: number | undefined,
): LogQuery {
  const query: LogQuery = {
    since: Number.NEGATIVE_INFINITY,
    until: Number.POSITIVE_INFINITY,
    limit: DEFAULT_LIMIT,
    before: Number.POSITIVE_INFINITY,
  };
  if (params.level) query.level = normaliseLevel(params.level);
  if (params.service) query.service = params.service;
  if (params.since) query.since = parseTime(params.since, now, 'since');
  else if (defaultSince !== undefined) query.since = defaultSince;
  if (params.until) query.until = parseTime(params.until, now, 'until');
  if (params.limit !== undefined) {
    const n = Number(params.limit);
    if (!Number.isInteger(n) || n < 1 || n > MAX_LIMIT)
      throw new QueryError(`limit must be an integer from 1 to ${MAX_LIMIT}`, 'limit');
    query.limit = n;
  }
  if (params.cursor) {
    const c = Number(params.cursor);
    if (!Number.isSafeInteger(c) || c < 0) throw new QueryError('cursor must be a value of `next`', 'cursor');
    query.before = c;
  }
  if (params.q) query.matches = compileText(params.q);
  return query;
}

function parseTime(text: string, now: number, field: string): number {
  const t = text.trim();
  if (t === 'now') return now;
  if (t.startsWith('-')) {
    const seconds = parseDuration(t.slice(1));
    if (seconds === null)
      throw new QueryError(`${field}: invalid relative time '${text}' (e.g. -15m, -2h, -1d)`, field);
    return now - seconds * 1000;
  }
  const ms = parseIsoTime(t) ?? (/^\d+$/.test(t) ? Number(t) : null);
  if (ms === null)
    throw new QueryError(`${field}: invalid time '${text}' (ISO 8601 such as 2026-12-02T17:00:00Z, or -15m)`, field);
  return ms;
}

function compileText(q: string): (message: string) => boolean {
  const re = /^\/(.*)\/([a-z]*)$/s.exec(q);
  if (re === null) return (m) => m.includes(q);
  const flags = re[2]!;
  if (/[^ims]/.test(flags)) throw new QueryError(`q: unsupported regex flag in '${flags}' (i, m, s)`, 'q');
  try {
    const regex = compileUserPattern(re[1]!, {
      flags: flags.replace('i', ''),
      ignoreCase: flags.includes('i'),
      shown: q,
    });
    return (m) => regex.test(m);
  } catch (err) {
    if (err instanceof InvalidPatternError || err instanceof UnsafePatternError)
      throw new QueryError(`q: ${err.message}`, 'q');
    throw err;
  }
}

export interface QueryResult {
  /** Newest first. */
  events: LogEvent[];
  /** The cursor for the next page (older events), or null when there are none. */
  next: number | null;
}

/**
 * Runs a query newest first over the indexes: it walks the shorter of the level's and the service's offset
 * lists (or every offset, when neither is given), skips time blocks outside [since, until] wholesale, checks
 * the other conditions in the per-offset arrays, and reads from the topic only the events it returns (and the
 * candidates `q` must test, in chunks). Work per request is bounded; a reply cut short carries `next`.
 */
export function runQuery(index: LogIndex, log: EventLog, query: LogQuery): QueryResult {
  const levelId = query.level === undefined ? undefined : index.levelIdOf(query.level);
  const serviceId = query.service === undefined ? undefined : index.serviceIdOf(query.service);
  if ((query.level !== undefined && levelId === undefined) || (query.service !== undefined && serviceId === undefined))
    return { events: [], next: null };
  let list: OffsetList | undefined;
  if (levelId !== undefined) list = index.levelLists[levelId];
  if (serviceId !== undefined) {
    const s = index.serviceLists[serviceId]!;
    if (list === undefined || s.length < list.length) list = s;
  }
  const timed = query.since > Number.NEGATIVE_INFINITY || query.until < Number.POSITIVE_INFINITY;
  const found: number[] = [];
  const pending: number[] = [];
  const events: LogEvent[] = [];
  let examined = 0;
  let tested = 0;
  let last = -1;
  let stopped = false;

  // Tests the candidates in `pending` (descending) against q, reading them from the topic.
  const testPending = (): void => {
    const read = log.read(pending.slice().reverse());
    tested += pending.length;
    pending.length = 0;
    for (let i = read.length - 1; i >= 0 && events.length < query.limit; i--)
      if (query.matches!(read[i]!.message)) events.push(read[i]!);
  };
  const take = (offset: number): boolean => {
    last = offset;
    if (query.matches === undefined) {
      found.push(offset);
      return found.length >= query.limit;
    }
    pending.push(offset);
    if (pending.length >= Q_CHUNK) testPending();
    return events.length >= query.limit || tested >= MAX_TESTED;
  };

  if (list !== undefined) {
    let i = list.lowerBound(query.before) - 1;
    while (i >= 0) {
      if (++examined > MAX_EXAMINED) break;
      const offset = list.at(i);
      if (timed) {
        const blockStart = index.blockStartIfOutside(offset, query.since, query.until);
        if (blockStart !== null) {
          last = blockStart;
          i = list.lowerBound(blockStart) - 1;
          continue;
        }
      }
      if (index.matches(offset, levelId, serviceId, query.since, query.until) && take(offset)) {
        stopped = true;
        break;
      }
      last = offset;
      i--;
    }
    if (i >= 0 && !stopped) stopped = true;
  } else {
    let offset = Math.min(query.before, index.end) - 1;
    while (offset >= index.base && index.base >= 0) {
      if (++examined > MAX_EXAMINED) {
        stopped = true;
        break;
      }
      if (timed) {
        const blockStart = index.blockStartIfOutside(offset, query.since, query.until);
        if (blockStart !== null) {
          last = blockStart;
          offset = blockStart - 1;
          continue;
        }
      }
      if (index.matches(offset, undefined, undefined, query.since, query.until) && take(offset)) {
        stopped = true;
        break;
      }
      last = offset;
      offset--;
    }
  }
  if (query.matches !== undefined) {
    if (pending.length > 0 && events.length < query.limit) testPending();
    // Full: the next page starts below the last event returned (candidates after it in its chunk were not shown).
    if (events.length >= query.limit) return { events, next: events[events.length - 1]!.offset };
    return { events, next: stopped ? last : null };
  }
  const read = log.read(found.slice().reverse()).reverse();
  return { events: read, next: stopped ? last : null };
}
