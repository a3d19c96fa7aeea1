import type { SyncMode, TopicStore } from '@esc/streams';
import type { CommandFamily, KeyspaceView } from '../command-spec.js';
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
}

export interface StreamFamily {
  readonly family: CommandFamily;
  /** The stream keys, for the string family's DEL/TYPE/KEYS/SCAN/EXISTS/DBSIZE/FLUSHDB. */
  readonly keyspace: KeyspaceView;
  /** Gives the streams another type's keys (the string family's view), so XADD on a string is WRONGTYPE. */
  attach(other: KeyspaceView): void;
}

/**
 * The Redis Streams family (XADD … XINFO) over the topic store: each stream a one-partition topic, its consumer
 * groups in the internal topic `__redis_streams` (docs/serve.md, docs/streams.md). Reads that topic before
 * returning; streams' entries are read when first used.
 */
export async function createStreamFamily(options: StreamFamilyOptions): Promise<StreamFamily> {
  const ks = new StreamKeyspace({ store: options.store, sync: options.sync, clock: options.clock ?? Date.now });
  await ks.open();
  const family: CommandFamily = {
    commands: [...entryCommands(ks), ...readCommands(ks), ...groupCommands(ks), infoCommand(ks)],
    info: (section) => {
      if (section === 'clients') return [['blocked_clients', ks.stats.blockedClients]];
      if (section === 'stats') return [['stream_entries_added', ks.stats.entriesAdded]];
      return [];
    },
    close: () => ks.close(),
  };
  return { family, keyspace: ks.view(), attach: (other) => ks.attach(other) };
}
