import type { LiveKvStore } from '@esc/kv';
import type { CommandFamily, KeyspaceView } from '../command-spec.js';
import { expireCommands } from './expire-commands.js';
import { keyCommands } from './key-commands.js';
import { Keyspace, NO_KEYS } from './keyspace.js';
import { stringCommands } from './string-commands.js';

export interface KvFamilyOptions {
  /** The kv store, opened once by the server (`openLiveKv`: the files `esc kv` uses). */
  store: LiveKvStore;
  /** The stream family's keys, so that DEL/EXISTS/TYPE/KEYS/SCAN/DBSIZE/FLUSHDB see them and SET overwrites them. */
  streams?: KeyspaceView;
}

/** The string family: its commands and INFO fields, and its keys as the stream family sees them. */
export function createKvFamily(options: KvFamilyOptions): { family: CommandFamily; keyspace: KeyspaceView } {
  const ks = new Keyspace(options.store, options.streams ?? NO_KEYS);
  const store = options.store;
  const family: CommandFamily = {
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
  return { family, keyspace: ks.view() };
}
