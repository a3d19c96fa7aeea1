import { UsageError } from '@esc/core';
import { defaultStreamsDir, openRedisTopics, openStreams, type RedisTopicStore, type TopicStore } from '@esc/streams';
import { type Command, Option } from '../../command-kit.js';
import { printWarning } from '../../error-reporter.js';

export interface DirFlag {
  dir?: string;
  broker?: string;
}

/**
 * `--dir DIR`, else $ESC_STREAMS_DIR, else $XDG_DATA_HOME/esc/streams (~/.local/share/esc/streams); or
 * `--broker URL` (else $ESC_BROKER): topics on a Redis server, a Redis Cluster or an `esc serve`.
 */
export function withDirOption(cmd: Command): Command {
  return cmd
    .addOption(
      new Option('--dir <dir>', 'the topics directory (default: $ESC_STREAMS_DIR, else $XDG_DATA_HOME/esc/streams)'),
    )
    .addOption(
      new Option(
        '--broker <url>',
        'topics on Redis instead: redis://host:port, redis-cluster://host:port,… or an esc serve (default: $ESC_BROKER)',
      ),
    );
}

/** The broker the flags name: --broker, else $ESC_BROKER unless --dir picks a directory; none: the embedded log. */
export function brokerOf(flags: DirFlag): string | undefined {
  if (flags.broker !== undefined && flags.dir !== undefined)
    throw new UsageError('--dir and --broker cannot be combined');
  if (flags.broker !== undefined) return flags.broker;
  return flags.dir === undefined && process.env.ESC_BROKER ? process.env.ESC_BROKER : undefined;
}

/** Opens the store named by the flags, runs `fn`, and always closes it (waiting for pending appends). */
async function withStreams<T>(flags: DirFlag, fn: (store: TopicStore) => Promise<T>): Promise<T> {
  const lockStaleMs = process.env.ESC_STREAMS_LOCK_STALE_MS ? Number(process.env.ESC_STREAMS_LOCK_STALE_MS) : undefined;
  const store = openStreams(flags.dir ?? defaultStreamsDir(), { onWarning: printWarning, lockStaleMs });
  try {
    return await fn(store);
  } finally {
    await store.close();
  }
}

/** Connects to the broker, runs `fn`, and always disconnects. */
async function withRedisTopics<T>(url: string, fn: (store: RedisTopicStore) => Promise<T>): Promise<T> {
  const store = await openRedisTopics(url, { connectionName: 'esc-cli' });
  try {
    return await fn(store);
  } finally {
    await store.close();
  }
}

/** Runs the embedded or the broker variant of a command, as the flags choose. */
export async function withTopics<T>(
  flags: DirFlag,
  embedded: (store: TopicStore) => Promise<T>,
  broker: (store: RedisTopicStore) => Promise<T>,
): Promise<T> {
  const url = brokerOf(flags);
  return url === undefined ? withStreams(flags, embedded) : withRedisTopics(url, broker);
}

/** For the commands that only the embedded log has (a log cleaner, segment files). */
export function embeddedOnly(what: string): () => never {
  return () => {
    throw new UsageError(`${what} is for the embedded log; topics on Redis have no segment files or log cleaner`);
  };
}

export { emitLines } from '../../emit-lines.js';
