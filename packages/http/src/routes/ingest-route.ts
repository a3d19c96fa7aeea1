import { InvalidFormatError } from '@esc/parser';
import { RecordTooLargeError } from '@esc/streams';
import type { FastifyInstance } from 'fastify';
import type { HttpServerState } from '../server-state.js';
import { BatchRefusedError, eventsFromBody, type IngestBatch } from '../ingest-body.js';
import { BackPressureError } from '../ingest-pipeline.js';
import { EventInputError } from '../log-event.js';
import { refuseOtherMethods } from './method-not-allowed.js';

const JSON_TYPE = 'application/json; charset=utf-8';

/** Seconds a client refused for back-pressure is told to wait (Retry-After). */
const RETRY_AFTER_SECONDS = 1;

/**
 * POST /ingest: one event → `{"status":"accepted","id"}` (LogStream's reply); a batch (JSON array, NDJSON,
 * text lines) → one `{"status":"accepted","count","ids"}`. The reply is sent only after the events are
 * durable per the sync mode. 400 names the field (and the line or item of a batch); 503 with Retry-After when
 * the server is over its back-pressure limit; 413 past the body limit.
 */
export function registerIngestRoute(app: FastifyInstance, state: HttpServerState): void {
  const { events: store, metrics, clock } = state;
  app.post('/ingest', async (req, reply) => {
    const query = req.query as Record<string, string | undefined>;
    const payload = typeof req.body === 'string' || Buffer.isBuffer(req.body) ? req.body : '';
    let events: IngestBatch;
    try {
      const parsed = eventsFromBody(
        {
          contentType: req.headers['content-type'] ?? 'application/json',
          payload,
          format: query.format,
          service: query.service,
        },
        clock(),
      );
      events = parsed instanceof Promise ? await parsed : parsed;
    } catch (err) {
      if (err instanceof EventInputError) {
        metrics.refused.inc({ reason: 'invalid' });
        return reply.code(400).send({ error: err.message, ...(err.field === undefined ? {} : { field: err.field }) });
      }
      if (err instanceof BatchRefusedError) {
        metrics.refused.inc({ reason: 'invalid' });
        return reply.code(400).send({ error: err.message, problems: err.problems });
      }
      if (err instanceof InvalidFormatError) return reply.code(400).send({ error: err.message, field: 'format' });
      throw err;
    }
    if (events.events.length === 0) return reply.code(400).send({ error: 'the body holds no event' });
    try {
      const stored = await store.ingest(events.events, events.sources);
      // Built here rather than by fastify's serializer: single events are the hot path, the shape is fixed.
      if (events.single)
        return reply.type(JSON_TYPE).send(`{"status":"accepted","id":${JSON.stringify(stored[0]!.id)}}`);
      return reply.send({ status: 'accepted', count: stored.length, ids: stored.map((e) => e.id) });
    } catch (err) {
      if (err instanceof RecordTooLargeError) {
        // One event over the topic's maxMessageBytes: the whole request is refused before anything is written.
        metrics.refused.inc({ reason: 'too_large' }, events.events.length);
        return reply.code(413).send({ error: `an event is too large for the topic: ${err.message}` });
      }
      if (!(err instanceof BackPressureError)) throw err;
      metrics.refused.inc({ reason: 'back_pressure' }, events.events.length);
      return reply.code(503).header('retry-after', String(RETRY_AFTER_SECONDS)).send({ error: err.message });
    }
  });
  refuseOtherMethods(app, '/ingest', ['POST']);
}
