import { eventFromJson, type LogEvent, type NewLogEvent } from '../log-event.js';
import { offsetOfId } from './event-keys.js';

/**
 * An event as a stream entry's `e` field: the client's shape plus the id and the time received, so the entry
 * alone gives the event back (the stream ID gives its offset).
 */
export function encodeStoredEvent(e: NewLogEvent): string {
  return JSON.stringify({
    id: e.id,
    level: e.level,
    service: e.service,
    message: e.message,
    timestamp: e.timestamp,
    receivedAt: e.receivedAt,
    metadata: e.metadata,
  });
}

/** A stream entry ([id, [field, value, …]]) back into an event; null for an entry that is not one of ours. */
export function decodeStoredEvent(entry: [string, string[]]): LogEvent | null {
  const [id, fields] = entry;
  const at = fields.indexOf('e');
  if (at < 0 || at % 2 !== 0) return null;
  try {
    const raw = JSON.parse(fields[at + 1]!) as Record<string, unknown>;
    const receivedAt = typeof raw.receivedAt === 'number' ? raw.receivedAt : Number(id.slice(0, id.indexOf('-')));
    delete raw.receivedAt;
    const e = eventFromJson(raw, receivedAt, String(raw.id)) as LogEvent;
    e.offset = offsetOfId(id);
    return e;
  } catch {
    return null;
  }
}
