import { timingSafeEqual } from 'node:crypto';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { isDashboardRoute } from './dashboard-plugin.js';
import { EmbeddedEventStore } from './embedded-event-store.js';
import type { EventStore } from './event-store.js';
import { HttpMetrics } from './http-metrics.js';
import { NDJSON_TYPES } from './ingest-body.js';
import { LiveTail } from './live-tail.js';
import { registerIngestRoute } from './routes/ingest-route.js';
import { registerLogRoutes } from './routes/log-routes.js';
import { registerServerRoutes } from './routes/server-routes.js';
import type { HttpAppOptions, HttpContext, HttpServerState } from './server-state.js';

/**
 * Builds the HTTP front-end (a fastify instance, not yet listening): opens the event store (the events topic with
 * its indexes rebuilt, or the shared backend given as `options.events`), and registers LogStream's routes and
 * esc's. The caller listens (`app.listen`) or injects.
 */
export async function createHttpApp(options: HttpAppOptions): Promise<FastifyInstance> {
  const clock = options.clock ?? Date.now;
  const events = options.events ?? embeddedStore(options);
  const tail = new LiveTail(options.sseQueueLimit ?? 10_000);
  const metrics = new HttpMetrics(
    () => events.pending,
    () => tail.clients,
  );
  tail.onSkipped = (n) => metrics.sseSkipped.inc(n);
  events.onEvent((e) => metrics.countIngested(e.level));
  events.onLive(
    (e) => tail.publish(e),
    () => tail.clients > 0,
  );
  if (options.onEvent) events.onEvent(options.onEvent);
  const state: HttpServerState = { options, clock, startedAt: clock(), events, tail, metrics };

  const app = Fastify({
    logger: false,
    bodyLimit: options.bodyLimit ?? 16 * 1024 * 1024,
    // Every body is read as text and parsed by the ingest route, which knows the formats and names errors.
    return503OnClosing: true,
  });
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'string' }, (_req, body, done) => done(null, body));
  // NDJSON as bytes: the ingest route decodes it line by line, with no string of the whole body.
  for (const type of NDJSON_TYPES)
    app.addContentTypeParser(type, { parseAs: 'buffer' }, (_req, body, done) => done(null, body));
  if (options.password !== undefined) installAuth(app, options.password);
  installLatencyMetric(app, metrics);
  app.setErrorHandler((err: Error & { statusCode?: number; code?: string }, _req, reply) => {
    const status = err.statusCode ?? 500;
    if (status >= 500) options.log?.error({ err: err.message, stack: err.stack }, 'http request failed');
    if (status === 413) metrics.refused.inc({ reason: 'too_large' });
    void reply.code(status).send({ error: status === 413 ? `request body too large: ${err.message}` : err.message });
  });
  const unrouted = observeUnrouted(metrics);
  app.setNotFoundHandler((req, reply) => {
    unrouted(req, reply);
    void reply.code(404).send({ error: `no route ${req.method} ${req.url.split('?')[0]}` });
  });
  // Before the server waits for its connections: a live stream never ends by itself, so it would wait forever.
  app.addHook('preClose', async () => tail.close());
  app.addHook('onClose', async () => events.close());

  registerIngestRoute(app, state);
  registerLogRoutes(app, state);
  registerServerRoutes(app, state);
  const context: HttpContext = {
    store: options.store,
    sync: options.sync ?? 'batch',
    redis: options.redis,
    clock,
    metrics,
    onEvent: (l) => events.onEvent(l),
  };
  for (const plugin of options.plugins ?? []) await app.register(plugin, { context });
  await app.ready();
  // Background work that must wait until the app is ready (the embedded store's retention check).
  events.start?.((err) => options.log?.warn({ err: err.message }, 'http: event store maintenance failed'));
  return app;
}

function embeddedStore(options: HttpAppOptions): EventStore {
  if (options.store === undefined) throw new TypeError('createHttpApp: give a topic store or an event store');
  return new EmbeddedEventStore(
    options.store,
    options.topic ?? 'logs',
    options.sync ?? 'batch',
    options.recentEvents,
    options.maxPendingEvents,
  );
}

function installAuth(app: FastifyInstance, password: string): void {
  const expected = Buffer.from(`Bearer ${password}`);
  app.addHook('onRequest', async (req: FastifyRequest, reply: FastifyReply) => {
    // The dashboard's page and assets hold no data: they load without it and ask for the password for the API.
    if (req.url === '/healthz' || isDashboardRoute(req.routeOptions.url)) return;
    const header = req.headers.authorization;
    // EventSource in a browser cannot set headers: RFC 6750's access_token query parameter is accepted too.
    const token = (req.query as Record<string, string> | undefined)?.access_token;
    const given = Buffer.from(header ?? (token !== undefined ? `Bearer ${token}` : ''));
    if (given.length === expected.length && timingSafeEqual(given, expected)) return;
    reply.header('www-authenticate', 'Bearer realm="esc"');
    return reply.code(401).send({ error: 'authentication required: Authorization: Bearer <password>' });
  });
}

function installLatencyMetric(app: FastifyInstance, metrics: HttpMetrics): void {
  // A callback hook per route, not an async one (no promise per request), that knows its route: reading
  // req.routeOptions builds an object of a dozen fields per request.
  app.addHook('onRoute', (route) => {
    const observe = metrics.routeObserver(route.url);
    const hook = (req: FastifyRequest, reply: FastifyReply, done: () => void): void => {
      observe(req.method, reply.statusCode, reply.elapsedTime / 1000);
      done();
    };
    route.onResponse = route.onResponse === undefined ? [hook] : [...[route.onResponse].flat(), hook];
  });
}

/** Requests that found no route are observed as route 'unknown', when their reply is written. */
function observeUnrouted(metrics: HttpMetrics): (req: FastifyRequest, reply: FastifyReply) => void {
  const observe = metrics.routeObserver('unknown');
  return (req, reply) => {
    reply.raw.once('finish', () => observe(req.method, reply.statusCode, reply.elapsedTime / 1000));
  };
}
