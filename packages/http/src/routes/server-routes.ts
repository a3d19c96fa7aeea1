import type { FastifyInstance } from 'fastify';
import type { HttpServerState } from '../server-state.js';
import { BackPressureError } from '../ingest-pipeline.js';
import { simulatedEvents } from '../simulator.js';
import { refuseOtherMethods } from './method-not-allowed.js';

const DEFAULT_SIMULATION = 10_000;
const MAX_SIMULATION = 1_000_000;
const SIMULATION_BATCH = 1_000;

/** GET /stats, POST /simulate, GET /metrics, GET /healthz. */
export function registerServerRoutes(app: FastifyInstance, state: HttpServerState): void {
  const { pipeline, index, log, clock, metrics, tail } = state;

  app.get('/stats', async (_req, reply) => {
    const uptime = Math.max(0, (clock() - state.startedAt) / 1000);
    const bounds = state.logBounds();
    return reply.send({
      total_processed: pipeline.processed,
      total_dropped: pipeline.refused,
      uptime_seconds: Math.round(uptime),
      avg_throughput: uptime > 0 ? Math.round((pipeline.processed / uptime) * 100) / 100 : 0,
      logs_in_storage: index.count,
      topic: log.topic,
      sync: log.sync,
      earliest_offset: bounds.earliest,
      next_offset: bounds.next,
      levels: index.levelCounts(),
      services: index.serviceCount(),
      index_bytes: index.bytes,
      queue_depth: pipeline.pending,
      stream_clients: tail.clients,
      rss_bytes: process.memoryUsage.rss(),
    });
  });
  refuseOtherMethods(app, '/stats', ['GET']);

  app.post('/simulate', async (req, reply) => {
    const raw = (req.query as Record<string, string | undefined>).count;
    const count = raw === undefined ? DEFAULT_SIMULATION : Number(raw);
    if (!Number.isInteger(count) || count < 1 || count > MAX_SIMULATION)
      return reply.code(400).send({ error: `count must be an integer from 1 to ${MAX_SIMULATION}`, field: 'count' });
    void simulate(count);
    return reply.send({ status: 'simulation started', logs: String(count) });
  });
  refuseOtherMethods(app, '/simulate', ['POST']);

  // In batches through the same write path as clients, waiting when over the back-pressure limit; a server
  // that stops stops its simulations (their events were never acknowledged to anyone).
  let closing = false;
  app.addHook('onClose', async () => {
    closing = true;
  });
  const simulate = async (count: number): Promise<void> => {
    for (let done = 0; done < count && !closing; ) {
      const n = Math.min(SIMULATION_BATCH, count - done);
      try {
        await pipeline.ingest(simulatedEvents(n, clock()));
        done += n;
      } catch (err) {
        if (!(err instanceof BackPressureError)) {
          app.log.error(err, 'simulation stopped');
          return;
        }
        await new Promise((r) => setTimeout(r, 50));
      }
    }
  };

  app.get('/metrics', async (_req, reply) => {
    const text = await metrics.registry.metrics();
    return reply.header('content-type', metrics.registry.contentType).send(text);
  });
  refuseOtherMethods(app, '/metrics', ['GET']);

  app.get('/healthz', async (_req, reply) => reply.send({ status: 'ok' }));
  refuseOtherMethods(app, '/healthz', ['GET']);
}
