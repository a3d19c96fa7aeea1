import { BufferedOutput, ExitCode, openInput, readChunks, UsageError } from '@esc/core';
import { positionsOf, type RecordPosition, type SyncMode, UnknownTopicError, validateTopicName } from '@esc/streams';
import { type Command, intArg, newCommand, Option, runAction } from '../command-kit.js';
import { produceLines } from './streams/line-producer.js';
import { brokerOf, type DirFlag, withDirOption, withTopics } from './streams/streams-options.js';

// A producer's memory grows with the records of one append (about two Buffer views a line): V8 grows its young
// generation with what survives each scavenge, which is the append in flight. 64 KiB, what a pipe gives in one
// read, is ~550 lines of 118 bytes: 1M such lines peaked at 84 MiB RSS against 101 MiB with 1 MiB blocks, at
// the same CPU time.
const BLOCK_BYTES = 64 * 1024;
// --sync always syncs once per append: a 1 MiB block shares one sync between ~9,000 such lines.
const SYNCED_BLOCK_BYTES = 1024 * 1024;
const BROKER_BLOCK_BYTES = 256 * 1024;

interface ProduceFlags extends DirFlag {
  key?: string;
  keySeparator?: string;
  tombstone?: boolean;
  partition?: number;
  sync: SyncMode;
  json?: boolean;
  create: boolean;
  waitReplicas?: number;
  waitTimeout: number;
}

/**
 * `esc produce TOPIC`: standard input, one record per line (a CR before the newline is dropped), appended
 * as it arrives: each block read becomes one append, acknowledged (with --json, one line per record) before
 * the next is read, so an acknowledged record is stored with the --sync mode's promise.
 */
export function createCommand(): Command {
  return withDirOption(newCommand('produce', 'append standard input to a topic, one record per line'))
    .argument('<topic>')
    .option('--key <key>', 'the key of every record')
    .option('--key-separator <sep>', 'each line is KEY<sep>VALUE (split at the first separator)')
    .option('--tombstone', 'each line is a key, with a null value (deletes the key under compaction)')
    .option(
      '--partition <n>',
      'write to this partition (default: murmur2 of the key, or round robin)',
      intArg('--partition'),
    )
    .addOption(
      new Option('--sync <mode>', 'none: in the OS; batch: plus a background sync; always: synced before the ack')
        .choices(['none', 'batch', 'always'])
        .default('none'),
    )
    .option('--json', 'print {"partition":P,"offset":O} for each record once it is acknowledged')
    .option('--no-create', 'fail if the topic does not exist (default: create it with the defaults)')
    .option(
      '--wait-replicas <n>',
      'with --broker: after each block, WAIT until N replicas have it; fewer in time is an error',
      intArg('--wait-replicas'),
    )
    .option('--wait-timeout <ms>', 'how long --wait-replicas waits (default 5000)', intArg('--wait-timeout'), 5000)
    .addHelpText('after', '\nExit status: 0 every line stored, 2 error (nothing after the failing block is stored).')
    .action(runAction(produce));
}

async function produce(topic: string, flags: ProduceFlags): Promise<number> {
  validateTopicName(topic);
  if (flags.key !== undefined && flags.keySeparator !== undefined)
    throw new UsageError('produce: --key and --key-separator cannot be combined');
  if (flags.tombstone && flags.key !== undefined)
    throw new UsageError('produce: --tombstone takes each line as the key; it cannot be combined with --key');
  if (flags.keySeparator === '') throw new UsageError('produce: --key-separator cannot be empty');
  const broker = brokerOf(flags);
  if (broker !== undefined && flags.sync !== 'none')
    throw new UsageError(
      "produce: --sync is for the embedded log; on Redis use --wait-replicas (and the server's appendfsync)",
    );
  if (broker === undefined && flags.waitReplicas !== undefined)
    throw new UsageError('produce: --wait-replicas needs --broker (Redis replicas)');
  return withTopics(
    flags,
    async (store) => {
      if (!flags.create && !store.listTopics({ internal: true }).includes(topic)) throw new UnknownTopicError(topic);
      const options = { sync: flags.sync, create: flags.create };
      // Columns, the library's lean way in: no object per record, and positions made only for --json.
      return produceStdin(
        flags,
        async (keys, values) => {
          const ack = await store.produce(topic, { keys, values, partition: flags.partition }, options);
          return flags.json ? positionsOf(ack) : null;
        },
        flags.sync === 'always' ? SYNCED_BLOCK_BYTES : BLOCK_BYTES,
      );
    },
    async (store) => {
      if (!flags.create) await store.topicConfig(topic);
      const options = { create: flags.create, waitReplicas: flags.waitReplicas, waitTimeoutMs: flags.waitTimeout };
      // A block is a round trip to Redis: larger blocks than the embedded log's when stdin is a file.
      return produceStdin(
        flags,
        (keys, values) =>
          store.append(
            topic,
            values.map((value, i) => ({ key: keys[i]!, value, partition: flags.partition })),
            options,
          ),
        BROKER_BLOCK_BYTES,
      );
    },
  );
}

/** Standard input, block by block into `append`; with --json each record's position once it is acknowledged. */
async function produceStdin(
  flags: ProduceFlags,
  append: (keys: readonly (Buffer | null)[], values: readonly (Buffer | null)[]) => Promise<RecordPosition[] | null>,
  chunkSize: number,
): Promise<number> {
  const out = flags.json ? new BufferedOutput(1) : null;
  // One buffer for every block: produceLines awaits each append before the next read.
  const blocks = readChunks(openInput('-'), { chunkSize, reuseBuffer: true });
  await produceLines(blocks, flags, async (keys, values) => {
    const acks = await append(keys, values);
    if (out === null || acks === null) return;
    for (const a of acks) out.write(`{"partition":${a.partition},"offset":${a.offset}}\n`);
    out.flush();
  });
  return ExitCode.Ok;
}
