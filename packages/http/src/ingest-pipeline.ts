import { RecordTooLargeError } from '@esc/streams';
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

interface QueuedRequest {
  events: NewLogEvent[];
  sources: readonly (string | null)[] | undefined;
  resolve: (stored: LogEvent[]) => void;
  reject: (err: unknown) => void;
  /** Written on its own (its group failed for one request's record being too large). */
  alone?: boolean;
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
  private queue: QueuedRequest[] = [];
  /** An append is in flight, or one is scheduled for the end of this turn of the event loop. */
  private writing = false;

  constructor(
    readonly log: EventLog,
    readonly index: LogIndex,
    readonly maxPending: number,
  ) {}

  /** Called for every stored event, in offset order, before it is acknowledged. */
  onEvent(listener: (e: LogEvent) => void): void {
    this.listeners.push(listener);
  }

  /** Not an async function: one promise per request, not two (single events are a request each). */
  ingest(events: NewLogEvent[], sources?: readonly (string | null)[]): Promise<LogEvent[]> {
    if (this.pending + events.length > this.maxPending && this.pending > 0) {
      this.refused += events.length;
      return Promise.reject(new BackPressureError(this.pending, this.maxPending));
    }
    this.pending += events.length;
    return new Promise((resolve, reject) => {
      this.queue.push({ events, sources, resolve, reject });
      if (!this.writing) {
        this.writing = true;
        // After the event loop's poll phase: every request read from the sockets in this turn joins the append
        // (one epoll wake-up brings ~20 under load), instead of each single event paying a write of its own.
        setImmediate(() => this.writeQueued());
      }
    });
  }

  /**
   * One append for every request queued in this turn of the event loop or while the previous append was in
   * flight: the topic's group commit would group them too, but one append call instead of one per request saves
   * a per-request cost of the write path (its promise, its checks, its place in the group, its write syscall)
   * that single-event requests paid in full.
   */
  private writeQueued(): void {
    this.writing = true;
    const group = this.queue;
    this.queue = [];
    let events: NewLogEvent[];
    let sources: readonly (string | null)[] | undefined;
    if (group.length === 1) ({ events, sources } = group[0]!);
    else {
      events = [];
      const all: (string | null)[] = [];
      for (const request of group)
        for (let i = 0; i < request.events.length; i++) {
          events.push(request.events[i]!);
          all.push(request.sources?.[i] ?? null);
        }
      sources = all;
    }
    this.log.append(events, sources).then(
      (stored) => {
        this.stored(stored);
        let at = 0;
        for (const request of group) {
          this.pending -= request.events.length;
          request.resolve(group.length === 1 ? stored : stored.slice(at, at + request.events.length));
          at += request.events.length;
        }
        this.next();
      },
      (err: unknown) => {
        // One request's event over the topic's record limit fails the whole append before anything is
        // written: the requests of the group are then written one by one, so only that one is refused.
        if (err instanceof RecordTooLargeError && group.length > 1) {
          this.queue = [...group.map((r) => ({ ...r, alone: true })), ...this.queue];
          this.writeAlone();
          return;
        }
        for (const request of group) {
          this.pending -= request.events.length;
          request.reject(err);
        }
        this.next();
      },
    );
  }

  /** Writes the queued requests marked `alone` one at a time, then goes back to grouping. */
  private writeAlone(): void {
    const request = this.queue[0];
    if (request === undefined || !request.alone) {
      this.next();
      return;
    }
    this.queue.shift();
    this.log.append(request.events, request.sources).then(
      (stored) => {
        this.stored(stored);
        this.pending -= request.events.length;
        request.resolve(stored);
        this.writeAlone();
      },
      (err: unknown) => {
        this.pending -= request.events.length;
        request.reject(err);
        this.writeAlone();
      },
    );
  }

  private next(): void {
    this.writing = false;
    if (this.queue.length > 0) this.writeQueued();
  }

  /** Indexes the stored events (the log put them in its ring) and hands them to the listeners, in offset order. */
  private stored(stored: LogEvent[]): void {
    this.index.addAll(stored);
    for (const e of stored)
      for (const l of this.listeners) {
        try {
          l(e);
        } catch (err) {
          // A listener's bug must not fail an append that is already durable.
          process.emitWarning(`esc http: an event listener failed: ${(err as Error).message}`);
        }
      }
    this.processed += stored.length;
  }
}
