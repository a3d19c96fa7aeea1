import { defaultStreamsDir, openStreams, type TopicStore } from '@esc/streams';
import { type Command, Option } from '../../command-kit.js';
import { printWarning } from '../../error-reporter.js';

export interface DirFlag {
  dir?: string;
}

/** `--dir DIR`, else $ESC_STREAMS_DIR, else $XDG_DATA_HOME/esc/streams (~/.local/share/esc/streams). */
export function withDirOption(cmd: Command): Command {
  return cmd.addOption(
    new Option('--dir <dir>', 'the topics directory (default: $ESC_STREAMS_DIR, else $XDG_DATA_HOME/esc/streams)'),
  );
}

/** Opens the store named by the flags, runs `fn`, and always closes it (waiting for pending appends). */
export async function withStreams<T>(flags: DirFlag, fn: (store: TopicStore) => Promise<T>): Promise<T> {
  const lockStaleMs = process.env.ESC_STREAMS_LOCK_STALE_MS ? Number(process.env.ESC_STREAMS_LOCK_STALE_MS) : undefined;
  const store = openStreams(flags.dir ?? defaultStreamsDir(), { onWarning: printWarning, lockStaleMs });
  try {
    return await fn(store);
  } finally {
    await store.close();
  }
}

export { emitLines } from '../../emit-lines.js';
