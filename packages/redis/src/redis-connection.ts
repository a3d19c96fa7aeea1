import { EscError, ExitCode } from '@esc/core';
import { Cluster, Redis, type RedisOptions } from 'ioredis';
import { parseRedisUrl, type RedisUrl, redactUrl } from './redis-url.js';

/** How long close() waits for QUIT's reply before dropping the connection. */
const CLOSE_WAIT_MS = 2000;

/** A Redis backend that cannot be reached or refused us (auth, no cluster): names the redacted URL. */
export class RedisConnectionError extends EscError {
  constructor(url: string, cause: unknown) {
    const why = cause instanceof Error ? cause.message : String(cause);
    super(`cannot use ${redactUrl(url)}: ${why}`, {}, ExitCode.Error, { cause });
  }
}

export interface RedisConnectOptions {
  /**
   * Fail fast (the default, for one-shot CLI commands): one connection attempt, commands fail at once while
   * disconnected. `false` for long-lived users (servers, producers riding out a failover): reconnect with
   * back-off, queue commands meanwhile and retry them.
   */
  readonly failFast?: boolean;
  /** Shown by CLIENT LIST on the server. */
  readonly connectionName?: string;
  /** Milliseconds to wait for the first connection (default 5,000). */
  readonly connectTimeoutMs?: number;
}

/** One client for a single server or a whole cluster, with the operations that differ between the two. */
export interface RedisConnection {
  readonly url: RedisUrl;
  /** The ioredis client: a Redis for redis://, a Cluster for redis-cluster:// (both run any keyed command). */
  readonly client: Redis | Cluster;
  readonly isCluster: boolean;
  /** The servers that own keys: the one server, or every cluster master (for KEYS/SCAN/FLUSHDB/DBSIZE). */
  masters(): Redis[];
  /**
   * Reads the cluster's slot map again (nothing to do on one server). ioredis follows a MOVED by itself only when
   * every command of a pipeline got it: a pipeline of keyed commands and a keyless one (XADD… then WAIT) that
   * reaches a former master after a failover gets MOVED for the XADDs alone, and its caller must ask.
   */
  refreshSlots(): Promise<void>;
  close(): Promise<void>;
}

/** Connects and waits until the server (or every slot of the cluster) is ready. */
export async function connectRedis(text: string, options: RedisConnectOptions = {}): Promise<RedisConnection> {
  const url = parseRedisUrl(text);
  const failFast = options.failFast ?? true;
  const common: RedisOptions = {
    username: url.username,
    password: url.password,
    connectionName: options.connectionName,
    connectTimeout: options.connectTimeoutMs ?? 5_000,
    lazyConnect: true,
    ...(url.tls ? { tls: {} } : {}),
    ...(failFast ? { maxRetriesPerRequest: 0, enableOfflineQueue: true } : { maxRetriesPerRequest: null }),
  };
  let client: Redis | Cluster;
  if (url.kind === 'redis') {
    client = new Redis({
      ...common,
      host: url.host,
      port: url.port,
      db: url.db,
      retryStrategy: failFast ? () => null : (times) => Math.min(50 * times, 2_000),
    });
  } else {
    const { tls, ...redisOptions } = common;
    client = new Cluster(
      url.nodes.map((node) => ({ host: node.host, port: node.port })),
      {
        lazyConnect: true,
        redisOptions: { ...redisOptions, ...(tls === undefined ? {} : { tls }) },
        scaleReads: 'master',
        // During a failover the moved slots answer CLUSTERDOWN / TRYAGAIN for a while: retry, then refresh.
        retryDelayOnClusterDown: 200,
        retryDelayOnTryAgain: 100,
        retryDelayOnFailover: 200,
        maxRedirections: 32,
        clusterRetryStrategy: failFast ? () => null : (times) => Math.min(100 * times, 2_000),
      },
    );
  }
  // Errors surface through the command promises; an 'error' listener keeps ioredis from printing them. The
  // last one is kept: a failed first connection rejects with "Connection is closed.", the cause is here.
  let lastError: unknown;
  client.on('error', (err: unknown) => {
    lastError = err;
  });
  try {
    await client.connect();
    if (url.kind === 'redis') await client.ping();
  } catch (err) {
    client.disconnect();
    throw new RedisConnectionError(text, lastError ?? err);
  }
  return {
    url,
    client,
    isCluster: url.kind === 'cluster',
    masters: () => (client instanceof Cluster ? client.nodes('master') : [client]),
    refreshSlots: () =>
      client instanceof Cluster
        ? new Promise<void>((resolve) => client.refreshSlotsCache(() => resolve()))
        : Promise.resolve(),
    close: async () => {
      // Not connected (the backend is down, the client retrying): nothing to let finish.
      if (client.status !== 'ready') {
        client.disconnect();
        return;
      }
      // QUIT lets the server finish what it was sent, but a cluster node killed a moment ago (a failover) may
      // never answer while ioredis retries it: wait at most CLOSE_WAIT_MS, then drop the sockets.
      let timer: NodeJS.Timeout | undefined;
      try {
        await Promise.race([
          client.quit(),
          new Promise((resolve) => {
            timer = setTimeout(resolve, CLOSE_WAIT_MS);
          }),
        ]);
      } catch {
        // Closing anyway.
      } finally {
        clearTimeout(timer);
        client.disconnect();
      }
    },
  };
}
