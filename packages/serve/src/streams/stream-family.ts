import type { SyncMode, TopicStore } from '@esc/streams';
import type { CommandFamily, KeyspaceView } from '../command-spec.js';
import type { FamilyEnv } from '../family-env.js';
import { entryCommands } from './entry-commands.js';
import { groupCommands } from './group-commands.js';
import { infoCommand } from './info-command.js';
import { readCommands } from './read-commands.js';
import { StreamKeyspace } from './stream-keyspace.js';

export interface StreamFamilyOptions {
  /** The topic store (`--dir`), opened once by the server. */
  store: TopicStore;
  /** `--sync`: how appends and state changes are made durable before the reply. */
  sync: SyncMode;
  /** Record timestamps where an ID's ms does not fit one; default Date.now. */
  clock?: () => number;
  /** Every family's keys (FamilyEnv.keyspaces()): XADD on a string key answers WRONGTYPE. */
  keyspaces?: () => readonly KeyspaceView[];
}

/**
 * The Redis Streams family (XADD … XINFO) over the topic store: each stream a one-partition topic, its consumer
 * groups in the internal topic `__redis_streams` (docs/serve.md, docs/streams.md). Reads that topic before
 * returning; a stream's entries are read when it is first used. Its `keyspace` is the stream keys, for the
 * string family's DEL/TYPE/KEYS/SCAN/EXISTS/DBSIZE/FLUSHDB.
 */
export async function createStreamFamily(options: StreamFamilyOptions): Promise<CommandFamily> {
  const ks = new StreamKeyspace({
    store: options.store,
    sync: options.sync,
    clock: options.clock ?? Date.now,
    keyspaces: options.keyspaces ?? (() => []),
  });
  await ks.open();
  return {
    commands: [...entryCommands(ks), ...readCommands(ks), ...groupCommands(ks), infoCommand(ks)],
    info: (section) => (section === 'stats' ? [['stream_blocked_readers', ks.stats.blockedClients]] : []),
    close: () => ks.close(),
    keyspace: ks.view,
  };
}

/** The family as start-server builds it. */
export const streamFamily = (env: FamilyEnv): Promise<CommandFamily> =>
  createStreamFamily({
    store: env.streams(),
    sync: env.config.sync,
    clock: () => env.server.now(),
    keyspaces: env.keyspaces,
  });
