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
export { startServer, stopOnSignal, FAMILIES, type RunningServer, type StartOptions } from './start-server.js';
