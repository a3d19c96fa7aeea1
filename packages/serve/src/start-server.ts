import { join } from 'node:path';
import { startHttpFrontEnd } from '@esc/http';
import { defaultStorePath } from '@esc/kv';
import { defaultStreamsDir, openStreams, type TopicStore } from '@esc/streams';
import type { CommandFamily, KeyspaceView } from './command-spec.js';
import { CommandTable } from './command-table.js';
import { configCommand } from './config-command.js';
import { connectionFamily } from './connection-family.js';
import { Dispatcher } from './dispatcher.js';
import type { FamilyEnv, FamilyFactory } from './family-env.js';
import { introspectionFamily } from './introspection-family.js';
import { createLogger, type Logger, type LogLevel } from './logger.js';
import { kvFamily } from './kv/kv-family.js';
import { startPlsFrontEnd } from './pls/pls-front-end.js';
import { pubsubFamily } from './pubsub/pubsub-family.js';
import { RespServer } from './resp-server.js';
import { type ServeConfig, readPassword } from './serve-config.js';
import { ServerState } from './server-state.js';
import { streamFamily } from './streams/stream-family.js';
import { backendFamily } from './backend/backend-family.js';

/**
 * The command families over the stores, one line each; the connection, COMMAND/INFO and Pub/Sub families are
 * built in below.
 */
export const FAMILIES: readonly FamilyFactory[] = [kvFamily, streamFamily];

export interface StartOptions {
  /** The families to serve (default FAMILIES); tests and the bench pass their own. */
  families?: readonly FamilyFactory[];
  logger?: Logger;
  /** esc's version, for INFO server. */
  version?: string;
}

export interface RunningServer {
  /** `resp 127.0.0.1:6380`, one per front-end listening. */
  readonly addresses: readonly string[];
  readonly logger: Logger;
  /** Stops accepting, finishes the commands in flight, closes the families (syncing their stores). */
  stop(): Promise<void>;
}

/** Opens the stores once, builds the families, and starts each front-end whose port is not 0. */
export async function startServer(config: ServeConfig, options: StartOptions = {}): Promise<RunningServer> {
  const logger = options.logger ?? createLogger(config.logLevel as LogLevel);
  const streamsDir = config.dir ?? defaultStreamsDir();
  const kvStorePath = config.kvStore ?? (config.dir === undefined ? defaultStorePath() : join(config.dir, 'kv.json'));
  let store: TopicStore | null = null;
  const state = new ServerState({
    password: readPassword(config),
    limits: { maxBulkLength: config.protoMaxBulkLen, maxQueryBuffer: config.clientQueryBufferLimit },
    maxClients: config.maxClients,
    pubsubOutputLimit: config.pubsubOutputLimit,
    logger,
    serverInfo: () => [
      ['tcp_port', config.respPort],
      ['config_file', ''],
    ],
  });
  const env: FamilyEnv = {
    config,
    kvStorePath,
    streamsDir,
    logger,
    server: state,
    streams: () => {
      store ??= openStreams(streamsDir, {
        onWarning: (message) => logger.warn({ dir: streamsDir }, message),
        // As `esc produce` does: how long a topic lock left by a killed process blocks writes (tests shorten it).
        lockStaleMs: process.env.ESC_STREAMS_LOCK_STALE_MS ? Number(process.env.ESC_STREAMS_LOCK_STALE_MS) : undefined,
        // The server writes its topics all day: it keeps each topic's lock for a second at a time, not 20 ms.
        lockLeaseMs: 1000,
      });
      return store;
    },
    keyspaces: () => state.keyspaces,
  };
  const families: CommandFamily[] = [];
  const closeFamilies = async () => {
    for (const f of families.reverse()) await f.close?.();
    await store?.close();
  };
  try {
    // With a backend nothing local is opened: RESP's commands are forwarded to it instead.
    for (const build of options.families ?? (config.backend === undefined ? FAMILIES : [backendFamily]))
      families.push(await build(env));
  } catch (err) {
    await closeFamilies();
    throw err;
  }
  state.keyspaces = families.flatMap((f): KeyspaceView[] => (f.keyspace ? [f.keyspace] : []));

  const table = new CommandTable();
  const dispatcher = new Dispatcher(table);
  const builtIn: CommandFamily[] = [
    connectionFamily(state),
    introspectionFamily(state, table, dispatcher, () => [...builtIn, ...families], options.version ?? '0.0.0'),
    // Pub/Sub is delivered within one process: with a backend shared by several, clients use the backend's.
    ...(config.backend === undefined ? [pubsubFamily(state)] : []),
  ];
  builtIn.push({ commands: [configCommand(config)] });
  for (const family of [...builtIn, ...families]) for (const spec of family.commands) table.add(spec);

  const addresses: string[] = [];
  const resp = config.respPort === 0 ? null : new RespServer(state, dispatcher);
  let http: Awaited<ReturnType<typeof startHttpFrontEnd>> | null = null;
  try {
    if (resp !== null) {
      const address = await resp.listen(config.respPort, config.bind);
      addresses.push(`resp ${formatAddress(address.address, address.port)}`);
    }
    const pls = await startPlsFrontEnd(env);
    if (pls !== null) {
      families.push(pls.family);
      addresses.push(`pls ${formatAddress(pls.address.address, pls.address.port)}`);
    }
    if (config.httpPort !== 0) {
      http = await startHttpFrontEnd({
        ...config,
        port: config.httpPort,
        store: config.backend === undefined ? env.streams() : undefined,
        password: readPassword(config),
        logger,
      });
      addresses.push(http.address);
    }
  } catch (err) {
    await resp?.stop();
    await closeFamilies();
    throw err;
  }
  logger.info({ addresses }, 'ready');
  let stopping: Promise<void> | null = null;
  return {
    addresses,
    logger,
    stop: () => {
      stopping ??= (async () => {
        logger.info({}, 'stopping');
        await resp?.stop();
        await http?.stop();
        await closeFamilies();
        logger.info({}, 'stopped');
      })();
      return stopping;
    },
  };
}

/**
 * Resolves once SIGTERM or SIGINT has stopped the server. A SIGINT while the stop is under way calls
 * `onInsist` (as Redis does with a second Ctrl-C: the CLI exits at once; the stores are crash-safe).
 */
export function stopOnSignal(server: RunningServer, onInsist?: () => void): Promise<void> {
  return new Promise((resolve, reject) => {
    let stopping = false;
    const onSignal = (signal: NodeJS.Signals) => {
      if (stopping) {
        if (signal === 'SIGINT') onInsist?.();
        return;
      }
      stopping = true;
      server.logger.info({ signal }, 'signal received');
      // The listeners stay until the stop is done: signal-exit (proper-lockfile's, once a topic or kv lock was
      // taken) re-raises a signal no other listener handles, which killed the process in the middle of its stop.
      server
        .stop()
        .finally(() => {
          process.off('SIGTERM', onSignal);
          process.off('SIGINT', onSignal);
        })
        .then(resolve, reject);
    };
    process.on('SIGTERM', onSignal);
    process.on('SIGINT', onSignal);
  });
}

function formatAddress(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}
