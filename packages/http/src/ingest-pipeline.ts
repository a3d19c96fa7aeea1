import type { EventLog } from './event-log.js';
import type { LogEvent, NewLogEvent } from './log-event.js';
import type { LogIndex } from './log-index.js';

/** The server holds more unacknowledged events than its limit: the client should retry after a while (503). */
export class BackPressureError extends Error {
  constructor(
    readonly pending: number,
    readonly limit: number,
  ) {
    super(`over the back-pressure limit: ${pending} events waiting to be stored (limit ${limit}); retry later`);
    this.name = 'BackPressureError';
  }
}

/**
 * The write path: events are appended to the log (durable per the sync mode), then indexed, put in the ring of
 * recent events and handed to the listeners, in offset order, before the client gets its acknowledgement.
 * Events received and not yet stored are counted; past `maxPending` a request is refused at once (503) rather
 * than queued, so memory is bounded by the limit and a client learns to slow down.
 */
export class IngestPipeline {
  pending = 0;
  processed = 0;
  refused = 0;
  private readonly listeners: ((e: LogEvent) => void)[] = [];

  constructor(
    readonly log: EventLog,
    readonly index: LogIndex,
    readonly maxPending: number,
  ) {}

  /** Called for every stored event, in offset order, before it is acknowledged. */
  onEvent(listener: (e: LogEvent) => void): void {
    this.listeners.push(listener);
  }

  async ingest(events: NewLogEvent[], sources?: readonly (string | null)[]): Promise<LogEvent[]> {
    if (this.pending + events.length > this.maxPending && this.pending > 0) {
      this.refused += events.length;
      throw new BackPressureError(this.pending, this.maxPending);
    }
    this.pending += events.length;
    let stored: LogEvent[];
    try {
      stored = await this.log.append(events, sources);
    } finally {
      this.pending -= events.length;
    }
    for (const e of stored) {
      this.index.add(e);
      this.log.recent.put(e);
      for (const l of this.listeners) {
        try {
          l(e);
        } catch (err) {
          // A listener's bug must not fail an append that is already durable.
          process.emitWarning(`esc http: an event listener failed: ${(err as Error).message}`);
        }
      }
    }
    this.processed += stored.length;
    return stored;
  }
}
