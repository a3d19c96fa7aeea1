import type { ServerResponse } from 'node:http';
import { eventView, type LogEvent } from './log-event.js';

interface Subscriber {
  res: ServerResponse;
  accepts: (e: LogEvent) => boolean;
  queue: LogEvent[];
  /** Events missed since the last one delivered because the queue was full. */
  skipped: number;
  /** The socket's buffer is full: wait for 'drain' before writing more. */
  blocked: boolean;
}

/**
 * GET /logs/stream: Server-Sent Events of stored events to each client whose filter accepts them. Each client
 * has a queue of at most `queueLimit` events; a client that reads slower than events arrive fills it, and
 * then misses events rather than growing the server's memory: the next message it gets is an `event: gap`
 * with the number missed (also counted in /metrics), so a gap is never silent.
 */
export class LiveTail {
  private readonly subscribers = new Set<Subscriber>();
  private flushScheduled = false;
  onSkipped: (n: number) => void = () => {};

  constructor(readonly queueLimit: number) {}

  get clients(): number {
    return this.subscribers.size;
  }

  /** Starts the event stream on `res` (headers written here); ends when the client goes away. */
  subscribe(res: ServerResponse, accepts: (e: LogEvent) => boolean, backlog: LogEvent[] = []): void {
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    });
    const blocked = !res.write(': esc live tail\n\n');
    const sub: Subscriber = { res, accepts, queue: backlog.slice(-this.queueLimit), skipped: 0, blocked };
    this.subscribers.add(sub);
    const drop = (): void => {
      this.subscribers.delete(sub);
    };
    res.on('close', drop);
    res.on('error', drop);
    res.on('drain', () => {
      sub.blocked = false;
      this.flush(sub);
    });
    this.flush(sub);
  }

  publish(e: LogEvent): void {
    if (this.subscribers.size === 0) return;
    for (const sub of this.subscribers) {
      if (!sub.accepts(e)) continue;
      if (sub.queue.length >= this.queueLimit) {
        sub.skipped++;
        this.onSkipped(1);
      } else sub.queue.push(e);
    }
    if (!this.flushScheduled) {
      this.flushScheduled = true;
      setImmediate(() => {
        this.flushScheduled = false;
        for (const sub of this.subscribers) this.flush(sub);
      });
    }
  }

  private flush(sub: Subscriber): void {
    if (sub.blocked || sub.res.destroyed) return;
    let text = '';
    for (const e of sub.queue) text += `id: ${e.offset}\ndata: ${JSON.stringify(eventView(e))}\n\n`;
    sub.queue.length = 0;
    // The missed events came after the queued ones (they were missed because the queue was full).
    if (sub.skipped > 0) {
      text += `event: gap\ndata: {"skipped":${sub.skipped}}\n\n`;
      sub.skipped = 0;
    }
    if (text !== '' && !sub.res.write(text)) sub.blocked = true;
  }

  /** Ends every stream (server shutdown). */
  close(): void {
    for (const sub of this.subscribers) sub.res.end();
    this.subscribers.clear();
  }
}
