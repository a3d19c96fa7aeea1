import type { FastifyInstance, FastifyReply } from 'fastify';
import type { HttpServerState } from '../server-state.js';
import { eventView, type LogEvent } from '../log-event.js';
import { type LogQuery, parseLogQuery, QueryError } from '../log-query.js';
import { refuseOtherMethods } from './method-not-allowed.js';

const HOUR_MS = 3_600_000;
const RECENT = 100;

/**
 * GET /logs (`{"count","logs","next"}`; without a level, the last hour), GET /logs/recent (the 100 newest)
 * and GET /logs/stream (Server-Sent Events with the same filters).
 */
export function registerLogRoutes(app: FastifyInstance, state: HttpServerState): void {
  const { events, clock, tail } = state;
  const parse = (params: Record<string, string | undefined>, reply: FastifyReply, live = false): LogQuery | null => {
    try {
      const now = clock();
      return parseLogQuery(params, now, params.level || live ? undefined : now - HOUR_MS);
    } catch (err) {
      if (!(err instanceof QueryError)) throw err;
      void reply.code(400).send({ error: err.message, field: err.field });
      return null;
    }
  };

  app.get('/logs', async (req, reply) => {
    const query = parse(req.query as Record<string, string | undefined>, reply);
    if (query === null) return reply;
    const result = await events.query(query);
    return reply.send({
      count: result.events.length,
      logs: result.events.map(eventView),
      next: result.next === null ? null : String(result.next),
    });
  });
  refuseOtherMethods(app, '/logs', ['GET']);

  app.get('/logs/recent', async (_req, reply) => {
    const result = await events.query({
      since: Number.NEGATIVE_INFINITY,
      until: Number.POSITIVE_INFINITY,
      limit: RECENT,
      before: Number.POSITIVE_INFINITY,
    });
    return reply.send({ count: result.events.length, logs: result.events.map(eventView) });
  });
  refuseOtherMethods(app, '/logs/recent', ['GET']);

  app.get('/logs/stream', async (req, reply) => {
    const params = req.query as Record<string, string | undefined>;
    const query = parse(params, reply, true);
    if (query === null) return reply;
    // Last-Event-ID (a reconnecting EventSource) or ?backlog=N: the stored events since then come first.
    const lastId = req.headers['last-event-id'];
    let backlog: LogEvent[] = [];
    const wanted = lastId !== undefined ? Number.POSITIVE_INFINITY : Number(params.backlog ?? 0);
    if (wanted > 0) {
      const result = await events.query({ ...query, limit: Math.min(wanted, tail.queueLimit) });
      const after = lastId === undefined ? -1 : Number(lastId);
      backlog = result.events.filter((e) => e.offset > after).reverse();
    }
    reply.hijack();
    tail.subscribe(reply.raw, (e) => accepts(query, e), backlog);
  });
  refuseOtherMethods(app, '/logs/stream', ['GET']);
}

function accepts(query: LogQuery, e: LogEvent): boolean {
  if (query.level !== undefined && e.level !== query.level) return false;
  if (query.service !== undefined && e.service !== query.service) return false;
  if (e.timestamp < query.since || e.timestamp > query.until) return false;
  return query.matches === undefined || query.matches(e.message);
}
