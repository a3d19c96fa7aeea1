import type { LogEvent, NewLogEvent } from './log-event.js';
import type { LogQuery, QueryResult } from './log-query.js';

/**
 * Where the routes store and find events: the embedded topic with its in-memory indexes (EmbeddedEventStore), or
 * Redis Streams shared by every instance of `esc serve --backend` (RedisEventStore). The routes know only this.
 */
export interface EventStore {
  /** Events received by this instance and not yet stored (the back-pressure count). */
  readonly pending: number;
  /** Events this instance stored, and refused for back-pressure, since it started. */
  readonly processed: number;
  readonly refused: number;
  /** Stores the events in order; resolves once they are stored (durable per the store's rules). */
  ingest(events: NewLogEvent[], sources?: readonly (string | null)[]): Promise<LogEvent[]>;
  /** Called for every event this instance stored, in order, before it is acknowledged (alerts, metrics). */
  onEvent(listener: (e: LogEvent) => void): void;
  /**
   * Called for every event stored by anyone (this instance or, with a shared backend, another): the live tail.
   * While `wanted()` is false the store may skip decoding other instances' events for it.
   */
  onLive(listener: (e: LogEvent) => void, wanted?: () => boolean): void;
  /** Newest first, at most `limit`, with a cursor for the next page. */
  query(query: LogQuery): Promise<QueryResult>;
  /** GET /stats's fields that describe the store (LogStream's `logs_in_storage` and esc's own). */
  stats(): Promise<Record<string, unknown>>;
  /** Background work that waits until the app is ready; errors are reported, not thrown. */
  start?(onError: (err: Error) => void): void;
  close(): Promise<void>;
}
