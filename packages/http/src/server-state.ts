import type { SyncMode, TopicStore } from '@esc/streams';
import type { FastifyPluginAsync } from 'fastify';
import type { EventStore } from './event-store.js';
import type { HttpMetrics } from './http-metrics.js';
import type { LiveTail } from './live-tail.js';
import type { LogEvent } from './log-event.js';
import type { RedisBackend } from './redis/redis-backend.js';

export interface HttpAppOptions {
  /** The server's opened topic store (shared with the other front-ends); not needed with `events`. */
  store?: TopicStore;
  /** Where events go instead of a topic of `store` (`esc serve --backend`: Redis Streams shared by instances). */
  events?: EventStore;
  /** The shared backend the plugins keep their state in too (the alert windows), with `events`. */
  redis?: RedisBackend;
  /** The topic events go to (default `logs`; created with the topic defaults when missing). */
  topic?: string;
  /** Durability of an acknowledged event (the server's --sync; default 'batch'). */
  sync?: SyncMode;
  /** With a password, every route but /healthz needs `Authorization: Bearer PASSWORD`. */
  password?: string;
  /** Server time in ms (receivedAt, relative query times, uptime); inject one in tests. */
  clock?: () => number;
  /** Called for every event once it is durably appended, in offset order, before it is acknowledged. */
  onEvent?: (event: LogEvent) => void;
  /** More routes (the alerts, the dashboard), registered with the server's context; see HttpContext. */
  plugins?: FastifyPluginAsync<HttpPluginOptions>[];
  /** Largest request body in bytes (default 16 MiB): past it, 413. */
  bodyLimit?: number;
  /** Events received and not yet stored beyond which POST /ingest answers 503 (default 200,000). */
  maxPendingEvents?: number;
  /**
   * How many of the newest events are kept in memory as stored, decoded when read (default 20,000); older ones
   * are read from the topic.
   */
  recentEvents?: number;
  /** Events a /logs/stream client may have queued before it misses events (default 10,000). */
  sseQueueLimit?: number;
  /** Where unexpected errors (500s) are logged; default: nowhere but the reply. */
  log?: HttpLogger;
}

/** What `esc serve` logs through (its pino-format logger). */
export interface HttpLogger {
  info(fields: Record<string, unknown>, msg: string): void;
  warn(fields: Record<string, unknown>, msg: string): void;
  error(fields: Record<string, unknown>, msg: string): void;
}

/** What a plugin (the alerts, the dashboard) gets from the server. */
export interface HttpContext {
  /** The embedded topic store; absent with a shared backend. */
  store?: TopicStore;
  /** The shared backend (`esc serve --backend`): plugins keep their state there so instances agree. */
  redis?: RedisBackend;
  /** The server's sync mode, for a plugin that appends to a topic of its own (the alerts). */
  sync: SyncMode;
  clock: () => number;
  /** The Prometheus registry /metrics serves: register more metrics on it. */
  metrics: HttpMetrics;
  /** Adds a listener called like HttpAppOptions.onEvent. */
  onEvent(listener: (event: LogEvent) => void): void;
}

export interface HttpPluginOptions {
  context: HttpContext;
}

/** The server's parts the routes share. */
export interface HttpServerState {
  options: HttpAppOptions;
  clock: () => number;
  startedAt: number;
  events: EventStore;
  tail: LiveTail;
  metrics: HttpMetrics;
}
