import type { SyncMode, TopicStore } from '@esc/streams';
import type { FastifyPluginAsync } from 'fastify';
import { alertsPlugin } from './alerts/alerts-plugin.js';
import { registerDashboardRoutes } from './dashboard-plugin.js';
import { createHttpApp } from './http-app.js';
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

/** The plugins `esc serve` runs beside the API, one line each. */
const PLUGINS: readonly HttpPluginFactory[] = [
  (env) => alertsPlugin({ rulesFile: env.rules, webhookUrl: env.alertWebhook, sync: env.sync, log: env.logger }),
  () => async (app) => registerDashboardRoutes(app),
];

export interface HttpFrontEndOptions {
  store: TopicStore;
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
  /** Stops accepting, ends the live streams, waits for requests in flight. */
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
  const app = await createHttpApp({
    store: options.store,
    sync: options.sync,
    password: options.password ?? undefined,
    plugins: PLUGINS.map((build) => build(env)),
    log: options.logger,
  });
  try {
    await app.listen({ port: options.port, host: options.bind });
  } catch (err) {
    await app.close();
    throw err;
  }
  const { address, port } = app.server.address() as { address: string; port: number };
  let stopping: Promise<void> | null = null;
  return {
    address: `http ${address.includes(':') ? `[${address}]` : address}:${port}`,
    port,
    stop: () => {
      stopping ??= app.close();
      return stopping;
    },
  };
}
