import { BufferedOutput, ExitCode, InvalidInputError, openInput, readChunks, stripCr, UsageError } from '@esc/core';
import {
  type ProduceRecord,
  type RecordPosition,
  type SyncMode,
  UnknownTopicError,
  validateTopicName,
} from '@esc/streams';
import { type Command, intArg, newCommand, Option, runAction } from '../command-kit.js';
import { brokerOf, type DirFlag, withDirOption, withTopics } from './streams/streams-options.js';

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
      return produceLines(flags, (records) => store.append(topic, records, { sync: flags.sync, create: flags.create }));
    },
    async (store) => {
      if (!flags.create) await store.topicConfig(topic);
      const options = { create: flags.create, waitReplicas: flags.waitReplicas, waitTimeoutMs: flags.waitTimeout };
      // A block is a round trip to Redis: larger blocks than the embedded log's when stdin is a file.
      return produceLines(flags, (records) => store.append(topic, records, options), BROKER_BLOCK_BYTES);
    },
  );
}

/** Standard input, block by block, into `append`; with --json each record's position once it is acknowledged. */
async function produceLines(
  flags: ProduceFlags,
  append: (records: ProduceRecord[]) => Promise<RecordPosition[]>,
  chunkSize?: number,
): Promise<number> {
  const out = flags.json ? new BufferedOutput(1) : null;
  const separator = flags.keySeparator === undefined ? null : Buffer.from(flags.keySeparator);
  const fixedKey = flags.key === undefined ? null : Buffer.from(flags.key);
  let lineNumber = 0;
  for await (const chunk of readChunks(openInput('-'), { chunkSize })) {
    const records: ProduceRecord[] = [];
    let start = 0;
    while (start < chunk.length) {
      let end = chunk.indexOf(10, start);
      const next = end === -1 ? chunk.length : end + 1;
      if (end === -1) end = chunk.length;
      const line = stripCr(chunk.subarray(start, end));
      start = next;
      lineNumber++;
      records.push(toRecord(line, lineNumber, separator, fixedKey, flags));
    }
    if (records.length === 0) continue;
    const acks = await append(records);
    if (out !== null) {
      for (const a of acks) out.write(`{"partition":${a.partition},"offset":${a.offset}}\n`);
      out.flush();
    }
  }
  return ExitCode.Ok;
}

function toRecord(
  line: Buffer,
  lineNumber: number,
  separator: Buffer | null,
  fixedKey: Buffer | null,
  flags: ProduceFlags,
): ProduceRecord {
  let key: Buffer | null = fixedKey;
  let value: Buffer | null = line;
  if (separator !== null) {
    const at = line.indexOf(separator);
    if (at === -1)
      throw new InvalidInputError(`no key separator '${flags.keySeparator}' found`, {
        path: '(standard input)',
        line: lineNumber,
      });
    key = line.subarray(0, at);
    value = line.subarray(at + separator.length);
  }
  if (flags.tombstone) {
    if (separator === null) key = line;
    value = null;
  }
  return { key, value, partition: flags.partition };
}
