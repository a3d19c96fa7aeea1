import type { AlertRecord } from './alert-history.js';
import type { AlertLogger } from './alert-log.js';
import type { AlertMetrics } from './alert-metrics.js';
import type { WebhookConfig } from './alert-rules.js';

export interface WebhookSenderOptions {
  /** Notifications waiting (besides the one in flight) beyond this push out the oldest, which is logged and counted (default 1000). */
  queueLimit?: number;
  /** The first retry's delay; each next one doubles, up to maxBackoffMs (defaults 500 ms, 30 s). */
  backoffMs?: number;
  maxBackoffMs?: number;
}

/**
 * POSTs each notification as JSON to the webhook, one at a time and in order, from a bounded queue: the engine
 * only enqueues, so a slow or dead receiver never holds up ingestion. An attempt fails on a network error, a
 * timeout or a non-2xx status; it is retried with exponential backoff (with jitter) `retries` times. Every
 * failed attempt is counted; a notification given up (retries exhausted, or pushed out of a full queue) is
 * logged with its id and counted: none is dropped silently.
 */
export class WebhookSender {
  private readonly queue: AlertRecord[] = [];
  private running = false;
  private closed = false;
  private wake: (() => void) | null = null;
  private readonly queueLimit: number;
  private readonly backoffMs: number;
  private readonly maxBackoffMs: number;

  constructor(
    private config: WebhookConfig,
    private readonly log: AlertLogger,
    private readonly metrics: AlertMetrics,
    options: WebhookSenderOptions = {},
  ) {
    this.queueLimit = options.queueLimit ?? 1000;
    this.backoffMs = options.backoffMs ?? 500;
    this.maxBackoffMs = options.maxBackoffMs ?? 30_000;
  }

  /** A reloaded rules file may change the URL, timeout or retries; the next attempt uses them. */
  reconfigure(config: WebhookConfig): void {
    this.config = config;
  }

  send(record: AlertRecord): void {
    if (this.closed) return;
    if (this.queue.length >= this.queueLimit) {
      const dropped = this.queue.shift()!;
      this.metrics.webhookDropped.inc({ reason: 'overflow' });
      this.log.error(
        {
          alert: { id: dropped.id, rule: dropped.rule, status: dropped.status, seq: dropped.seq },
          queueLimit: this.queueLimit,
        },
        'alert webhook queue full: the oldest notification is not delivered',
      );
    }
    this.queue.push(record);
    this.metrics.webhookQueueDepth.set(this.queue.length);
    if (!this.running) void this.drain();
  }

  /** Stops sending; what is still queued is logged as undelivered. */
  close(): void {
    this.closed = true;
    this.wake?.();
    if (this.queue.length > 0) {
      this.metrics.webhookDropped.inc({ reason: 'closed' }, this.queue.length);
      this.log.warn({ undelivered: this.queue.map((r) => r.id) }, 'alert webhook closed with notifications queued');
    }
  }

  private async drain(): Promise<void> {
    this.running = true;
    while (!this.closed && this.queue.length > 0) {
      // Out of the queue while in flight: an overflow pushes out the oldest waiting one, never this one.
      const record = this.queue.shift()!;
      this.metrics.webhookQueueDepth.set(this.queue.length);
      const delivered = await this.deliver(record);
      if (delivered) this.metrics.webhookDeliveries.inc();
      else {
        this.metrics.webhookDropped.inc({ reason: this.closed ? 'closed' : 'retries' });
        this.log.error(
          { alert: { id: record.id, rule: record.rule, status: record.status, seq: record.seq }, url: this.config.url },
          this.closed
            ? 'alert webhook closed before delivery'
            : `alert webhook gave up after ${this.config.retries + 1} attempts`,
        );
      }
    }
    this.running = false;
  }

  private async deliver(record: AlertRecord): Promise<boolean> {
    const body = JSON.stringify(record);
    for (let attempt = 0; attempt <= this.config.retries && !this.closed; attempt++) {
      if (attempt > 0)
        await this.sleep(Math.min(this.maxBackoffMs, this.backoffMs * 2 ** (attempt - 1)) * (0.5 + Math.random() / 2));
      if (this.closed) return false;
      const problem = await this.post(body);
      if (problem === null) return true;
      this.metrics.webhookFailures.inc();
      this.log.warn(
        { alert: record.id, url: this.config.url, attempt: attempt + 1, problem },
        'alert webhook attempt failed',
      );
    }
    return false;
  }

  /** null on success, else what went wrong. */
  private async post(body: string): Promise<string | null> {
    try {
      const res = await fetch(this.config.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'user-agent': 'esc-alerts' },
        body,
        signal: AbortSignal.timeout(this.config.timeout),
      });
      await res.arrayBuffer().catch(() => undefined);
      return res.ok ? null : `HTTP ${res.status}`;
    } catch (err) {
      const e = err as Error & { cause?: { code?: string } };
      return e.name === 'TimeoutError' ? `no reply within ${this.config.timeout} ms` : (e.cause?.code ?? e.message);
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.wake = null;
        resolve();
      }, ms);
      timer.unref();
      this.wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }
}
