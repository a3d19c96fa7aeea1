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
export { createStreamFamily, type StreamFamily, type StreamFamilyOptions } from './streams/stream-family.js';
