import { isUtf8 } from 'node:buffer';
import { hostname } from 'node:os';
import { BufferedOutput, ExitCode, UsageError } from '@esc/core';
import {
  consume,
  type ConsumedBatch,
  consumeRedis,
  type LogRecord,
  parseDurationMs,
  type ReadFrom,
  type RedisTopicStore,
  type TopicStore,
} from '@esc/streams';
import { type Command, intArg, newCommand, Option, runAction } from '../command-kit.js';
import { brokerOf, type DirFlag, withDirOption, withTopics } from './streams/streams-options.js';

interface ConsumeFlags extends DirFlag {
  group?: string;
  fromBeginning?: boolean;
  offset?: number;
  since?: string;
  partition?: number;
  max?: number;
  follow?: boolean;
  idleTimeout?: number;
  output: 'text' | 'ndjson';
  consumer?: string;
  claimIdle?: number;
}

/**
 * `esc consume TOPIC`: prints a topic's records, from the start (or --offset, --since, or after the group's
 * committed offset), to the end of the log, or with --follow as they arrive. With --group the offsets reached
 * are committed after the output is written.
 */
export function createCommand(): Command {
  return withDirOption(newCommand('consume', 'print the records of a topic (values, or NDJSON with -o ndjson)'))
    .argument('<topic>')
    .option('--group <group>', 'start after the group’s committed offset; commit what was printed')
    .option('--from-beginning', 'start at the earliest offset (the default without --group)')
    .option('--offset <n>', 'start at this offset', intArg('--offset'))
    .option('--since <time>', 'start at the first record at or after TIME (ISO 8601, Unix ms, or 1h for an hour ago)')
    .option('--partition <n>', 'only this partition', intArg('--partition'))
    .option('--max <n>', 'stop after N records', intArg('--max', 1))
    .option('-f, --follow', 'wait for new records at the end of the log')
    .option('--idle-timeout <ms>', 'with --follow, stop after MS without a new record', intArg('--idle-timeout'))
    .addOption(
      new Option('-o, --output <format>', 'text (values) or ndjson').choices(['text', 'ndjson']).default('text'),
    )
    .option('--consumer <name>', 'with --broker and --group: this member’s name (default HOST-PID)')
    .option(
      '--claim-idle <ms>',
      'with --broker and --group: also take records other members have left unacknowledged this long (XAUTOCLAIM)',
      intArg('--claim-idle'),
    )
    .addHelpText('after', '\nExit status: 0 success, 2 error (unknown topic, offset out of range, damaged data).')
    .action(runAction(consumeCommand));
}

async function consumeCommand(topic: string, flags: ConsumeFlags): Promise<number> {
  const starts = [flags.fromBeginning, flags.offset !== undefined, flags.since !== undefined].filter(Boolean).length;
  if (starts > 1) throw new UsageError('consume: use only one of --from-beginning, --offset and --since');
  const flagFrom: ReadFrom | null = flags.fromBeginning
    ? 'earliest'
    : flags.offset !== undefined
      ? flags.offset
      : flags.since !== undefined
        ? { timestamp: parseSince(flags.since) }
        : null;
  if (brokerOf(flags) === undefined && (flags.consumer !== undefined || flags.claimIdle !== undefined))
    throw new UsageError('consume: --consumer and --claim-idle need --broker (Redis consumer groups)');
  return withTopics(
    flags,
    (store) => consumeEmbedded(store, topic, flags, flagFrom),
    (store) => consumeBroker(store, topic, flags, flagFrom),
  );
}

async function consumeEmbedded(
  store: TopicStore,
  topic: string,
  flags: ConsumeFlags,
  flagFrom: ReadFrom | null,
): Promise<number> {
  const partitions =
    flags.partition !== undefined ? [flags.partition] : [...Array(store.topicConfig(topic).partitions).keys()];
  const from = (p: number): ReadFrom => {
    if (flags.group !== undefined && flagFrom === null) {
      const committed = store.committed(flags.group, topic, p);
      if (committed !== null) return Math.max(committed, store.bounds(topic, p).earliest);
    }
    return flagFrom ?? 'earliest';
  };
  const reached = new Map<number, number>();
  await untilSignal((signal) =>
    printBatches(
      consume(store, topic, { partitions, from, follow: flags.follow, idleTimeoutMs: flags.idleTimeout, signal }),
      topic,
      flags,
      async (partition, taken) => {
        if (taken.length > 0) reached.set(partition, taken[taken.length - 1]!.offset + 1);
        if (flags.follow && flags.group !== undefined) await commitAll(store, flags.group, topic, reached);
      },
    ),
  );
  if (flags.group !== undefined) await commitAll(store, flags.group, topic, reached);
  return ExitCode.Ok;
}

/**
 * The same on Redis: without --group from an offset, with --group as a member of the Redis consumer group
 * (XREADGROUP), acknowledging (XACK) each batch once it is written out: at least once. A start flag with
 * --group moves the group there first (XGROUP SETID), as a reset of its offsets.
 */
async function consumeBroker(
  store: RedisTopicStore,
  topic: string,
  flags: ConsumeFlags,
  flagFrom: ReadFrom | null,
): Promise<number> {
  const config = await store.topicConfig(topic);
  const partitions = flags.partition !== undefined ? [flags.partition] : [...Array(config.partitions).keys()];
  const starts = new Map<number, number>();
  for (const p of partitions) starts.set(p, await store.position(topic, p, flagFrom ?? 'earliest'));
  const group =
    flags.group === undefined
      ? undefined
      : { name: flags.group, consumer: flags.consumer ?? `${hostname()}-${process.pid}`, claimIdleMs: flags.claimIdle };
  if (group !== undefined && flagFrom !== null)
    for (const p of partitions) await store.commit(group.name, topic, p, starts.get(p)!);
  await untilSignal((signal) =>
    printBatches(
      consumeRedis(store, topic, {
        partitions,
        from: (p) => starts.get(p)!,
        group,
        follow: flags.follow,
        idleTimeoutMs: flags.idleTimeout,
        max: flags.max,
        signal,
      }),
      topic,
      flags,
      async (partition, taken) => {
        if (group !== undefined)
          await store.ack(
            group.name,
            topic,
            partition,
            taken.map((r) => r.offset),
          );
      },
    ),
  );
  return ExitCode.Ok;
}

/**
 * Prints batches as they come, up to --max records, and once each batch is written out hands its printed records
 * to `written` (a group's commit or acknowledgement: at least once, never ahead of the output).
 */
async function printBatches(
  batches: AsyncIterable<ConsumedBatch>,
  topic: string,
  flags: ConsumeFlags,
  written: (partition: number, taken: LogRecord[]) => Promise<void>,
): Promise<void> {
  const out = new BufferedOutput(1);
  let left = flags.max ?? Number.POSITIVE_INFINITY;
  const print = flags.output === 'ndjson' ? ndjsonPrinter(out, topic) : textPrinter(out);
  for await (const batch of batches) {
    const take = batch.records.length <= left ? batch.records : batch.records.slice(0, left);
    for (const r of take) print(r, batch.partition);
    left -= take.length;
    out.flush();
    await written(batch.partition, take);
    if (left <= 0) break;
  }
}

async function commitAll(store: TopicStore, group: string, topic: string, reached: Map<number, number>): Promise<void> {
  for (const [partition, offset] of reached) await store.commit(group, topic, partition, offset, { sync: 'always' });
  reached.clear();
}

function textPrinter(out: BufferedOutput) {
  return (r: LogRecord) => {
    if (r.value === null) out.write('null\n');
    else {
      out.write(r.value);
      out.write('\n');
    }
  };
}

/** `{topic, partition, offset, timestamp, key, value}`; bytes that are not UTF-8 go as base64, flagged. */
function ndjsonPrinter(out: BufferedOutput, topic: string) {
  const topicJson = JSON.stringify(topic);
  return (r: LogRecord, partition: number) => {
    let line = `{"topic":${topicJson},"partition":${partition},"offset":${r.offset},"timestamp":"${new Date(r.timestamp).toISOString()}"`;
    line += bytesField('key', r.key);
    line += bytesField('value', r.value);
    if (r.headers.length > 0)
      line += `,"headers":${JSON.stringify(r.headers.map((h) => ({ key: h.key, value: h.value === null ? null : h.value.toString('utf8') })))}`;
    out.write(`${line}}\n`);
  };
}

function bytesField(name: string, bytes: Buffer | null): string {
  if (bytes === null) return `,"${name}":null`;
  if (isUtf8(bytes)) return `,"${name}":${JSON.stringify(bytes.toString('utf8'))}`;
  return `,"${name}":${JSON.stringify(bytes.toString('base64'))},"${name}Encoding":"base64"`;
}

/** ISO 8601, Unix milliseconds, or a duration ago (`90s`, `1h`, `7d`). */
function parseSince(text: string): number {
  if (/^\d{10,}$/.test(text)) return Number(text);
  if (/^\d+(\.\d+)?\s*[a-z]+$/i.test(text)) return Date.now() - parseDurationMs('--since', text);
  const t = Date.parse(text);
  if (Number.isNaN(t)) throw new UsageError(`--since: invalid time '${text}' (ISO 8601, Unix ms, or e.g. 1h)`);
  return t;
}

/** Runs `fn` with a signal that SIGINT or SIGTERM aborts, so a follow ends cleanly and commits what it printed. */
async function untilSignal(fn: (signal: AbortSignal) => Promise<void>): Promise<void> {
  const abort = new AbortController();
  const onSignal = () => abort.abort();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    await fn(abort.signal);
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}
