import type { SyncMode, TopicStore } from '@esc/streams';
import { connectRedis } from '@esc/redis';
import type { FastifyInstance, FastifyPluginAsync } from 'fastify';
import { alertsPlugin } from './alerts/alerts-plugin.js';
import { registerDashboardRoutes } from './dashboard-plugin.js';
import { createHttpApp } from './http-app.js';
import type { RedisBackend } from './redis/redis-backend.js';
import { RedisEventStore } from './redis/redis-event-store.js';
import type { HttpLogger, HttpPluginOptions } from './server-state.js';

/** What a plugin factory gets from `esc serve`: its settings that concern the HTTP front-end. */
export interface HttpPluginEnv {
  /** `--rules FILE`: the alert rules (the defaults without it). */
  rules?: string;
  /** `--alert-webhook URL`: where alert notifications are POSTed (overrides the rules file's). */
  alertWebhook?: string;
  /** The server's --sync (the alerts topic's records too). */
  sync: SyncMode;
  logger: HttpLogger;
}

/** Builds one plugin of the front-end (the alerts, the dashboard). */
export type HttpPluginFactory = (env: HttpPluginEnv) => FastifyPluginAsync<HttpPluginOptions>;

/** How long a stop waits for the requests in flight. */
const STOP_GRACE_MS = 5_000;

/** The plugins `esc serve` runs beside the API, one line each. */
const PLUGINS: readonly HttpPluginFactory[] = [
  (env) => alertsPlugin({ rulesFile: env.rules, webhookUrl: env.alertWebhook, sync: env.sync, log: env.logger }),
  () => async (app) => registerDashboardRoutes(app),
];

export interface HttpFrontEndOptions {
  /** The embedded topic store (without `backend`). */
  store?: TopicStore;
  /** `--backend redis://…|redis-cluster://…`: events, indexes and alert windows in Redis, shared by instances. */
  backend?: string;
  sync: SyncMode;
  password: string | null;
  bind: string;
  port: number;
  rules?: string;
  alertWebhook?: string;
  logger: HttpLogger;
}

export interface HttpFrontEnd {
  /** `http 127.0.0.1:8080` */
  address: string;
  port: number;
  /** Stops accepting, ends the live streams, waits for requests in flight (5 s at most). */
  stop(): Promise<void>;
}

/** `esc serve`'s HTTP front-end: the API and the plugins, listening on `bind`:`port`. */
export async function startHttpFrontEnd(options: HttpFrontEndOptions): Promise<HttpFrontEnd> {
  const env: HttpPluginEnv = {
    rules: options.rules,
    alertWebhook: options.alertWebhook,
    sync: options.sync,
    logger: options.logger,
  };
  const shared = options.backend === undefined ? null : await openBackend(options.backend);
  let app: FastifyInstance;
  try {
    app = await createHttpApp({
      store: options.store,
      ...(shared === null ? {} : { events: shared.events, redis: shared.backend }),
      sync: options.sync,
      password: options.password ?? undefined,
      plugins: PLUGINS.map((build) => build(env)),
      log: options.logger,
    });
  } catch (err) {
    await shared?.close();
    throw err;
  }
  // The connection goes last, after the live streams and the alert engine let go of it.
  const close = async (): Promise<void> => {
    // Requests in flight get STOP_GRACE_MS to finish, as RESP's do; then their connections are cut. One waiting
    // on a backend that is down (its client retries until it is back) held the stop for as long as its client
    // waited, forever for one that never gives up.
    const cut = setTimeout(() => app.server.closeAllConnections(), STOP_GRACE_MS);
    try {
      await app.close();
    } finally {
      clearTimeout(cut);
    }
    await shared?.backend.connection.close();
  };
  try {
    await app.listen({ port: options.port, host: options.bind });
  } catch (err) {
    await close();
    throw err;
  }
  const { address, port } = app.server.address() as { address: string; port: number };
  let stopping: Promise<void> | null = null;
  return {
    address: `http ${address.includes(':') ? `[${address}]` : address}:${port}`,
    port,
    stop: () => {
      stopping ??= close();
      return stopping;
    },
  };
}

/** Connects to the backend (riding out reconnections and failovers) and opens the event store on it. */
async function openBackend(
  url: string,
): Promise<{ backend: RedisBackend; events: RedisEventStore; close(): Promise<void> }> {
  const connection = await connectRedis(url, { failFast: false, connectionName: 'esc-serve' });
  const backend: RedisBackend = { url, connection, prefix: 'esc:http' };
  try {
    const events = await RedisEventStore.open(backend);
    return {
      backend,
      events,
      close: async () => {
        await events.close();
        await connection.close();
      },
    };
  } catch (err) {
    await connection.close();
    throw err;
  }
}
