export { type Reply, OK, NULL_BULK, simple, error, integer, bulk, array } from './reply.js';
export type {
  CommandSpec,
  CommandHandler,
  CommandContext,
  ConnectionContext,
  ServerContext,
  CommandFamily,
  KeyspaceView,
  Subcommand,
} from './command-spec.js';
export { createStreamFamily, streamFamily, type StreamFamilyOptions } from './streams/stream-family.js';
export type { FamilyEnv, FamilyFactory } from './family-env.js';
export { containerSpec } from './subcommands.js';
export { splitArgs } from './split-args.js';
export { createLogger, type Logger, type LogLevel } from './logger.js';
export {
  serveConfigSchema,
  resolveServeConfig,
  ServeConfigError,
  type ServeConfig,
  type ServeConfigInput,
} from './serve-config.js';
export { ListenError } from './listen-error.js';
/** esc serve's socket read path, for servers measured beside it (the bench's durable floor). */
export { readDirect } from './direct-reads.js';
export { startServer, stopOnSignal, FAMILIES, type RunningServer, type StartOptions } from './start-server.js';
export { createKvFamily, kvFamily, type KvFamilyOptions } from './kv/kv-family.js';
export {
  startPlsServer,
  DEFAULT_PLS_PORT,
  DEFAULT_HEARTBEAT_MS,
  type PlsServer,
  type PlsServerOptions,
} from './pls/pls-server.js';
export type { PlsStats } from './pls/pls-stats.js';
export type { PlsLogger } from './pls/pls-logger.js';
export { PlsClient, PlsClientError, type PlsClientOptions, type PlsMessage, type PlsAck } from './pls/pls-client.js';
