import { canonicalLevel } from './canonical-level.js';
import { newEventId } from './event-id.js';

/**
 * One ingested event as the server keeps it and hands it to listeners (the alerts, the live tail). The level
 * is @esc/parser's normalised spelling (upper case, WARNING → WARN, CRITICAL → CRIT, ERR → ERROR), so the
 * API, `esc parse --level` and alert rules share one vocabulary.
 */
export interface LogEvent {
  id: string;
  /** The event's offset in the topic: its place in the log, and the cursor of queries. */
  offset: number;
  level: string;
  service: string;
  message: string;
  /** Event time in ms (the client's `timestamp`, else receivedAt). */
  timestamp: number;
  /** Server time in ms when the event was received. */
  receivedAt: number;
  metadata: Record<string, unknown>;
}

/** An event before the log gave it an offset (the client's events carry a placeholder -1 until then). */
export type NewLogEvent = Omit<LogEvent, 'offset'> & { offset?: number };

/** A client's event that cannot be accepted: the reply names the field (and the line or item of a batch). */
export class EventInputError extends Error {
  constructor(
    message: string,
    readonly field: string | undefined,
  ) {
    super(message);
    this.name = 'EventInputError';
  }
}

/** LogStream's fields (a switch: the keys JSON.parse makes are interned, so each case is a pointer compare). */
function isKnownField(key: string): boolean {
  switch (key) {
    case 'level':
    case 'message':
    case 'service':
    case 'timestamp':
    case 'metadata':
    case 'id':
      return true;
    default:
      return false;
  }
}

/**
 * Checks one client event (LogStream's `{level, message, service, timestamp?, metadata?, id?}`) and returns it
 * normalised. Unknown top-level fields are kept in metadata (a metadata key of the same name wins).
 */
export function eventFromJson(raw: unknown, receivedAt: number, storedId?: string): NewLogEvent {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw))
    throw new EventInputError('an event must be a JSON object', undefined);
  const o = raw as Record<string, unknown>;
  const level = requireString(o, 'level');
  const message = requireString(o, 'message', true);
  const service = requireString(o, 'service');
  let metadata = o.metadata as Record<string, unknown> | undefined | null;
  if (metadata === undefined || metadata === null) metadata = {};
  else if (typeof metadata !== 'object' || Array.isArray(metadata))
    throw new EventInputError('metadata must be a JSON object', 'metadata');
  let extra: Record<string, unknown> | undefined;
  for (const key in o) {
    if (isKnownField(key)) continue;
    extra ??= {};
    extra[key] = o[key];
  }
  if (extra !== undefined) metadata = { ...extra, ...metadata };
  let id: string;
  if (storedId !== undefined) id = storedId;
  else if (o.id === undefined || o.id === null || o.id === '') id = newEventId();
  else if (typeof o.id === 'string' || typeof o.id === 'number') id = String(o.id);
  else throw new EventInputError('id must be a string', 'id');
  return {
    id,
    // Here rather than added by the append: the object keeps one shape and needs no second properties store.
    offset: -1,
    level: canonicalLevel(level),
    service,
    message,
    timestamp: o.timestamp === undefined || o.timestamp === null ? receivedAt : eventTime(o.timestamp),
    receivedAt,
    metadata,
  };
}

function requireString(o: Record<string, unknown>, field: string, allowEmpty = false): string {
  const v = o[field];
  if (typeof v !== 'string') throw new EventInputError(`${field} is required and must be a string`, field);
  if (!allowEmpty && v.trim() === '') throw new EventInputError(`${field} must not be empty`, field);
  return v;
}

/** A timestamp as ISO 8601 (without an offset: UTC) or a number of milliseconds since the epoch. */
function eventTime(v: unknown): number {
  if (typeof v === 'number' && Number.isFinite(v) && v >= 0) return Math.round(v);
  if (typeof v === 'string') {
    const ms = parseIsoTime(v);
    if (ms !== null) return ms;
  }
  throw new EventInputError('timestamp must be an ISO 8601 time or milliseconds since the epoch', 'timestamp');
}

const ISO_TIME = /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:[.,]\d{1,9})?)?)?\s*(Z|z|[+-]\d{2}(?::?\d{2})?)?$/;

/** ISO 8601 → ms since the epoch (a time without an offset is UTC), or null. */
export function parseIsoTime(text: string): number | null {
  const m = ISO_TIME.exec(text.trim());
  if (m === null) return null;
  let t = text.trim().replace(' ', 'T').replace(',', '.');
  if (m[1] === undefined) t += t.length === 10 ? 'T00:00:00Z' : 'Z';
  else if (/[+-]\d{4}$/.test(t)) t = `${t.slice(0, -2)}:${t.slice(-2)}`;
  const ms = Date.parse(t);
  return Number.isNaN(ms) || ms < 0 ? null : ms;
}

/**
 * The value stored for an event the server built itself (text lines, the simulator): the client's JSON shape,
 * so that every stored value is read back by eventFromJson. The id is the record's key and receivedAt its
 * timestamp; events that came as JSON are stored as the client sent them (see EventLog).
 */
export function encodeEvent(e: NewLogEvent): string {
  return JSON.stringify({
    level: e.level,
    service: e.service,
    message: e.message,
    timestamp: e.timestamp,
    metadata: e.metadata,
  });
}

/** A stored record back into an event; null for a record that is not an event (another writer's). */
export function decodeEvent(
  offset: number,
  key: Buffer | null,
  value: Buffer | null,
  receivedAt: number,
): LogEvent | null {
  if (value === null) return null;
  return decodeEventText(offset, key?.toString('utf8'), value.toString('utf8'), receivedAt);
}

/** decodeEvent of a record whose key and value are text already (the ring of recent events). */
export function decodeEventText(
  offset: number,
  id: string | undefined,
  value: string,
  receivedAt: number,
): LogEvent | null {
  try {
    const e = eventFromJson(JSON.parse(value), receivedAt, id) as LogEvent;
    e.offset = offset;
    return e;
  } catch {
    return null;
  }
}

/** An event as the API shows it: LogStream's fields with an ISO timestamp, plus the offset. */
export function eventView(e: LogEvent): Record<string, unknown> {
  return {
    id: e.id,
    timestamp: new Date(e.timestamp).toISOString(),
    level: e.level,
    service: e.service,
    message: e.message,
    metadata: e.metadata,
    offset: e.offset,
    received_at: new Date(e.receivedAt).toISOString(),
  };
}
