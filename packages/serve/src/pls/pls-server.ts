import { type AddressInfo, createServer, type Server } from 'node:net';
import { PeriodicSync, type SyncMode, type TopicStore } from '@esc/streams';
import { ListenError } from '../listen-error.js';
import { ClientOffsets } from './client-offsets.js';
import { DEFAULT_LAG_LIMITS, LagGate, type LagGateLimits } from './lag-gate.js';
import { PartitionWatches } from './partition-watches.js';
import { PlsConnection } from './pls-connection.js';
import { DEFAULT_MAX_FRAME_BYTES } from './pls-frame.js';
import { type PlsLogger, SILENT_LOGGER } from './pls-logger.js';
import { newCounters, type PlsStats } from './pls-stats.js';
import { RecentFrames } from './recent-frames.js';

export interface PlsServerOptions {
  /** The topic store the other front-ends and `esc topic/produce/consume --dir` share. */
  topics: TopicStore;
  /** Default 127.0.0.1. */
  host?: string;
  /** Default 1234 (PyLogStreams'); 0 picks a free port. */
  port?: number;
  /** The server's --sync mode: when a PUB counts as appended, and how offsets are committed. */
  sync: SyncMode;
  logger?: PlsLogger;
  /** A client that sends no frame for this long is disconnected (default 120 s, the original's limit). */
  heartbeatMs?: number;
  /** Largest frame body accepted (default 1 MiB); a longer length closes the connection before anything is read. */
  maxFrameBytes?: number;
  /** Per connection, PUB payload bytes waiting for the store above which its socket is not read (default 8 MiB). */
  maxPendingBytes?: number;
  /** When a subscriber's lag holds its topic's producers, and for how long one that does not read can. */
  lagLimits?: LagGateLimits;
}

export interface PlsServer {
  readonly address: AddressInfo;
  stats(): PlsStats;
  /** INFO fields (section stats): `pls_*`, as the server's families add theirs. */
  info(section: string): readonly (readonly [string, number])[];
  /** Stops accepting, lets received PUBs land and offsets commit, closes every connection. */
  close(): Promise<void>;
}

export const DEFAULT_PLS_PORT = 1234;
export const DEFAULT_HEARTBEAT_MS = 120_000;

/** Starts the PyLogStreams front-end (docs/formats/pls-protocol.md) and resolves once it listens. */
export async function startPlsServer(options: PlsServerOptions): Promise<PlsServer> {
  const logger = options.logger ?? SILENT_LOGGER;
  const heartbeatMs = options.heartbeatMs ?? DEFAULT_HEARTBEAT_MS;
  const counters = newCounters();
  const connections = new Set<PlsConnection>();
  const delivering = new Map<string, PlsConnection>();
  const offsets = new ClientOffsets(options.topics, options.sync, (err, client, topic, partition) =>
    logger.error({ client, topic, partition, error: (err as Error).message }, 'PLS offset commit failed'),
  );
  const watches = new PartitionWatches();
  const recent = new RecentFrames();
  const gate = new LagGate(
    options.lagLimits ?? DEFAULT_LAG_LIMITS,
    () => {
      for (const c of connections) c.gateChanged();
    },
    (topic) =>
      logger.warn(
        { topic },
        "PLS subscriber did not catch up within the hold limit; its topic's producers no longer wait for it",
      ),
  );
  // --sync batch: PUBs are written with 'none' and their partitions fdatasynced once a second (everysec).
  const periodicSync = options.sync === 'batch' ? new PeriodicSync(options.topics.dir) : null;
  const host = {
    topics: options.topics,
    sync: options.sync,
    periodicSync,
    logger,
    counters,
    offsets,
    watches,
    recent,
    gate,
    maxFrameBytes: options.maxFrameBytes ?? DEFAULT_MAX_FRAME_BYTES,
    maxPendingBytes: options.maxPendingBytes ?? 8 * 1024 * 1024,
    claim(clientId: string, connection: PlsConnection) {
      const previous = delivering.get(clientId);
      if (previous !== undefined && previous !== connection) {
        // As the original: the newest login of an id takes its deliveries over (one group, one reader).
        previous.stopDelivering();
        logger.info({ client: clientId }, 'PLS client id subscribed on a new connection; the old one stops receiving');
      }
      delivering.set(clientId, connection);
    },
    deliveringFor: (clientId: string) => delivering.get(clientId),
    closed(connection: PlsConnection) {
      connections.delete(connection);
      const id = connection.client;
      if (id !== null && delivering.get(id) === connection) delivering.delete(id);
    },
  };

  const server: Server = createServer((socket) => {
    counters.totalConnections++;
    connections.add(new PlsConnection(socket, host));
  });
  const bind = options.host ?? '127.0.0.1';
  const port = options.port ?? DEFAULT_PLS_PORT;
  await new Promise<void>((resolve, reject) => {
    const fail = (err: unknown) => {
      server.close();
      reject(new ListenError('pls', bind, port, err));
    };
    server.once('error', fail);
    server.listen(port, bind, () => {
      server.off('error', fail);
      resolve();
    });
  });
  server.on('error', (err) => logger.error({ error: err.message }, 'PLS listener error'));

  // One sweep for all connections instead of a timer per connection re-armed at every frame.
  const sweep = setInterval(
    () => {
      const deadline = Date.now() - heartbeatMs;
      for (const c of connections) if (c.lastHeard < deadline && !c.held) c.timeOut(heartbeatMs);
    },
    Math.min(Math.max(heartbeatMs / 4, 10), 5000),
  );
  sweep.unref();

  const stats = (): PlsStats => ({
    connectedClients: connections.size,
    recentFramesBytes: recent.size,
    producerHolds: gate.holds,
    subscribersLetGo: gate.released,
    ...counters,
  });
  let closing: Promise<void> | null = null;
  return {
    address: server.address() as AddressInfo,
    stats,
    info(section) {
      if (section !== 'stats') return [];
      const s = stats();
      return [
        ['pls_connected_clients', s.connectedClients],
        ['pls_total_connections', s.totalConnections],
        ['pls_published', s.published],
        ['pls_publish_refused', s.publishRefused],
        ['pls_crc_errors', s.crcErrors],
        ['pls_delivered', s.delivered],
        ['pls_protocol_errors', s.protocolErrors],
        ['pls_heartbeat_timeouts', s.heartbeatTimeouts],
        ['pls_recent_frames_bytes', s.recentFramesBytes],
        ['pls_producer_holds', s.producerHolds],
        ['pls_subscribers_let_go', s.subscribersLetGo],
      ];
    },
    close() {
      closing ??= (async () => {
        clearInterval(sweep);
        const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
        await Promise.all([...connections].map((c) => c.drain()));
        await offsets.flush();
        await Promise.all(
          [...connections].map(
            (c) =>
              new Promise<void>((resolve) => {
                if (c.socket.destroyed) return resolve();
                c.socket.once('close', () => resolve());
                c.socket.end(() => c.socket.destroy());
                setTimeout(() => c.socket.destroy(), 1000).unref();
              }),
          ),
        );
        watches.closeAll();
        gate.close();
        await periodicSync?.syncNow();
        await stopped;
      })();
      return closing;
    },
  };
}
