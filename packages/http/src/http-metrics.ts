import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client';
import { LatencyHistogram } from './latency-histogram.js';

/**
 * The server's Prometheus metrics on its own registry (not prom-client's global one, so two apps in one
 * process, as in tests, do not collide). Other parts (the alerts) register theirs on `registry`.
 */
export class HttpMetrics {
  readonly registry = new Registry();
  readonly ingested: Counter<'level'>;
  readonly refused: Counter<'reason'>;
  readonly queueDepth: Gauge;
  readonly requestSeconds: LatencyHistogram;
  readonly sseClients: Gauge;
  readonly sseSkipped: Counter;
  /** Events ingested by level since /metrics last asked: added to `ingested` then, not one inc() per event. */
  private readonly ingestedSince = new Map<string, number>();

  constructor(queueDepth: () => number, sseClients: () => number) {
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry, prefix: 'esc_' });
    const ingestedSince = this.ingestedSince;
    this.ingested = new Counter({
      name: 'esc_http_ingested_events_total',
      help: 'Events acknowledged by POST /ingest (durable per the sync mode), by level',
      labelNames: ['level'],
      registers,
      collect() {
        for (const [level, n] of ingestedSince) if (n > 0) this.inc({ level }, n);
        ingestedSince.clear();
      },
    });
    this.refused = new Counter({
      name: 'esc_http_refused_events_total',
      help: 'Events refused by POST /ingest: back-pressure (503), invalid input (400), too large (413)',
      labelNames: ['reason'],
      registers,
    });
    this.queueDepth = new Gauge({
      name: 'esc_http_ingest_queue_depth',
      help: 'Events received and not yet durably appended',
      registers,
      collect() {
        this.set(queueDepth());
      },
    });
    this.requestSeconds = new LatencyHistogram(
      'esc_http_request_duration_seconds',
      'HTTP request latency by method, route and status',
      [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      this.registry,
    );
    this.sseClients = new Gauge({
      name: 'esc_http_sse_clients',
      help: 'Clients connected to GET /logs/stream',
      registers,
      collect() {
        this.set(sseClients());
      },
    });
    this.sseSkipped = new Counter({
      name: 'esc_http_sse_skipped_events_total',
      help: 'Events a slow /logs/stream client missed (each gap is announced to it as an event)',
      registers,
    });
  }

  /**
   * The latency observer of one route (the 404s: 'unknown'): its children found by method and status, with no
   * key string made per request (the routes are a fixed set, the methods and statuses few).
   */
  routeObserver(route: string): (method: string, status: number, seconds: number) => void {
    const children = new Map<string, Map<number, (seconds: number) => void>>();
    return (method, status, seconds) => {
      let byStatus = children.get(method);
      if (byStatus === undefined) {
        byStatus = new Map();
        children.set(method, byStatus);
      }
      let child = byStatus.get(status);
      if (child === undefined) {
        child = this.requestSeconds.child({ method, route, status: String(status) });
        byStatus.set(status, child);
      }
      child(seconds);
    };
  }

  /** Counts one acknowledged event of this level (esc_http_ingested_events_total, brought up to date when read). */
  countIngested(level: string): void {
    this.ingestedSince.set(level, (this.ingestedSince.get(level) ?? 0) + 1);
  }
}
