import type { TopicStore } from '@esc/streams';
import type { CommandFamily, KeyspaceView, ServerContext } from './command-spec.js';
import type { Logger } from './logger.js';
import type { ServeConfig } from './serve-config.js';

/** What start-server gives each family when it builds it. */
export interface FamilyEnv {
  readonly config: ServeConfig;
  /** The kv store file: --kv-store, else <dir>/kv.json with --dir, else the one `esc kv` uses. */
  readonly kvStorePath: string;
  /** The topics directory: --dir, else the one `esc topic` uses. */
  readonly streamsDir: string;
  readonly logger: Logger;
  readonly server: ServerContext;
  /** The topic store, opened on first call and shared by every family and front-end; closed after the families. */
  streams(): TopicStore;
  /** Every family's KeyspaceView (Redis has one keyspace); complete once all families are built. */
  keyspaces(): readonly KeyspaceView[];
}

/** Builds one command family; start-server lists these, one line each. */
export type FamilyFactory = (env: FamilyEnv) => CommandFamily | Promise<CommandFamily>;
