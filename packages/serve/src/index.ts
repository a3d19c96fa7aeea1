export { type Reply, OK, NULL_BULK, simple, error, integer, bulk, array } from './reply.js';
export type {
  CommandSpec,
  CommandHandler,
  CommandContext,
  ConnectionContext,
  ServerContext,
  CommandFamily,
  KeyspaceView,
} from './command-spec.js';
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
