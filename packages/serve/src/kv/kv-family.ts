import { openLiveKv, type LiveKvStore } from '@esc/kv';
import type { CommandFamily, KeyspaceView } from '../command-spec.js';
import type { FamilyEnv } from '../family-env.js';
import { expireCommands } from './expire-commands.js';
import { keyCommands } from './key-commands.js';
import { Keyspace, NO_KEYS } from './keyspace.js';
import { stringCommands } from './string-commands.js';

/**
 * `--sync batch` is the server's `appendfsync everysec` (CONFIG GET appendfsync answers so, and the stream
 * family's PeriodicSync syncs each second): one background fdatasync a second, not one per 10 ms as a short-lived
 * `esc kv` process does. At 50 clients the 10 ms syncs cost 1–2 µs of kernel CPU a SET (docs/serve.md).
 */
const BATCH_SYNC_INTERVAL_MS = 1000;

export interface KvFamilyOptions {
  /** The kv store, opened once by the server (`openLiveKv`: the files `esc kv` uses). */
  store: LiveKvStore;
  /**
   * The stream family's keys, so that DEL/EXISTS/TYPE/KEYS/SCAN/DBSIZE/FLUSHDB see them and SET overwrites them;
   * a function when the other families are built after this one (asked on each use).
   */
  streams?: KeyspaceView | (() => KeyspaceView | undefined);
}

/** The string family as start-server builds it: the kv store opened once at `env.kvStorePath`. */
export async function kvFamily(env: FamilyEnv): Promise<CommandFamily> {
  const store = await openLiveKv(env.kvStorePath, {
    sync: env.config.sync,
    syncIntervalMs: BATCH_SYNC_INTERVAL_MS,
    onWarning: (message) => env.logger.warn({ store: env.kvStorePath }, message),
  });
  return createKvFamily({ store, streams: () => env.keyspaces().find((k) => k.typeName === 'stream') });
}

/** The string family: its commands and INFO fields, and its keys as the stream family sees them. */
export function createKvFamily(options: KvFamilyOptions): CommandFamily & { keyspace: KeyspaceView } {
  const given = options.streams;
  const streams = typeof given === 'function' ? () => given() ?? NO_KEYS : () => given ?? NO_KEYS;
  const ks = new Keyspace(options.store, streams);
  const store = options.store;
  return {
    keyspace: ks.view(),
    commands: [...stringCommands(ks), ...expireCommands(ks), ...keyCommands(ks)],
    info(section) {
      if (section === 'keyspace') {
        const c = store.counts();
        const keys = c.keys + ks.streams.size();
        return keys === 0 ? [] : [['db0', `keys=${keys},expires=${c.expires},avg_ttl=${c.avgTtl}`]];
      }
      if (section === 'persistence') {
        const f = store.fileInfo();
        return [
          ['kv_store', store.files.snapshot],
          ['kv_sync', store.sync],
          ['kv_generation', f.generation],
          ['kv_snapshot_bytes', f.snapshotBytes],
          ['kv_journal_bytes', f.journalBytes],
          ['kv_last_compaction', f.lastCompaction ?? '-'],
          ['kv_changes_written', store.changes],
        ];
      }
      return [];
    },
    close: () => store.close(),
  };
}
