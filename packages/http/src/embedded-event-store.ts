import type { SyncMode, TopicStore } from '@esc/streams';
import { EventLog } from './event-log.js';
import type { EventStore } from './event-store.js';
import { IngestPipeline } from './ingest-pipeline.js';
import type { LogEvent, NewLogEvent } from './log-event.js';
import { LogIndex } from './log-index.js';
import { type LogQuery, type QueryResult, runQuery } from './log-query.js';

/** How often the indexes look for events retention deleted (they hold memory and counts for them). */
const RETENTION_CHECK_MS = 10_000;

/** The events in a topic of the server's own TopicStore, indexed in memory (rebuilt from the topic at start). */
export class EmbeddedEventStore implements EventStore {
  readonly log: EventLog;
  readonly index = new LogIndex();
  readonly pipeline: IngestPipeline;
  private retentionCheck: NodeJS.Timeout | undefined;

  constructor(store: TopicStore, topic: string, sync: SyncMode, recentEvents?: number, maxPendingEvents = 200_000) {
    this.log = new EventLog(store, topic, sync, recentEvents);
    rebuildIndex(this.log, this.index);
    this.pipeline = new IngestPipeline(this.log, this.index, maxPendingEvents);
  }

  get pending(): number {
    return this.pipeline.pending;
  }

  get processed(): number {
    return this.pipeline.processed;
  }

  get refused(): number {
    return this.pipeline.refused;
  }

  ingest(events: NewLogEvent[], sources?: readonly (string | null)[]): Promise<LogEvent[]> {
    return this.pipeline.ingest(events, sources);
  }

  onEvent(listener: (e: LogEvent) => void): void {
    this.pipeline.onEvent(listener);
  }

  /** One process writes the topic: the events it stored are all there are. */
  onLive(listener: (e: LogEvent) => void): void {
    this.pipeline.onEvent(listener);
  }

  async query(query: LogQuery): Promise<QueryResult> {
    return runQuery(this.index, this.log, query);
  }

  /**
   * The topic's bounds, the indexes and the ring first forgetting the events retention deleted. Retention runs in
   * the store (after appends, once a minute) or in another process (`esc topic`).
   */
  private logBounds(): { earliest: number; next: number } {
    const bounds = this.log.bounds();
    this.index.dropBelow(bounds.earliest);
    this.log.recent.dropBelow(bounds.earliest);
    return bounds;
  }

  /** Lets go of what retention deleted when /stats asks, or within RETENTION_CHECK_MS (it holds memory). */
  start(onError: (err: Error) => void): void {
    this.retentionCheck = setInterval(() => {
      try {
        this.logBounds();
      } catch (err) {
        // A topic directory that cannot be read now: /stats will say so; the next check tries again.
        onError(err as Error);
      }
    }, RETENTION_CHECK_MS).unref();
  }

  async stats(): Promise<Record<string, unknown>> {
    const bounds = this.logBounds();
    return {
      logs_in_storage: this.index.count,
      topic: this.log.topic,
      sync: this.log.sync,
      earliest_offset: bounds.earliest,
      next_offset: bounds.next,
      levels: this.index.levelCounts(),
      services: this.index.serviceCount(),
      index_bytes: this.index.bytes,
    };
  }

  async close(): Promise<void> {
    clearInterval(this.retentionCheck);
    await this.log.close();
  }
}

/** Reads the topic from its start into the indexes (the ring of recent events gets the newest). */
function rebuildIndex(log: EventLog, index: LogIndex): void {
  const { earliest } = log.bounds();
  log.scan(
    earliest,
    (e) => index.add(e),
    (offset) => index.skip(offset),
  );
}
