import { CorruptionError, ExitCode, UsageError } from '@esc/core';
import {
  type RedisTopicConfig,
  type RedisTopicConfigInput,
  type TopicConfig,
  type TopicConfigInput,
  type TopicFlags,
  topicConfigFromFlags,
} from '@esc/streams';
import { type Command, intArg, newCommand, runAction } from '../command-kit.js';
import { type DirFlag, embeddedOnly, emitLines, withDirOption, withTopics } from './streams/streams-options.js';

interface JsonFlag {
  json?: boolean;
}

interface ConfigFlags extends TopicFlags, DirFlag {
  retentionRecords?: number;
}

/** The embedded log's settings from the flags; --retention-records is Redis's (MAXLEN) only. */
function embeddedConfig(flags: ConfigFlags): TopicConfigInput {
  if (flags.retentionRecords !== undefined)
    throw new UsageError('--retention-records needs --broker (a Redis stream’s MAXLEN); use --retention-bytes here');
  return topicConfigFromFlags(flags);
}

function brokerConfig(flags: ConfigFlags): RedisTopicConfigInput {
  return { ...topicConfigFromFlags(flags), retentionRecords: flags.retentionRecords };
}

/** The config flags of create and alter, with Kafka's names in kebab case. */
function withConfigFlags(cmd: Command): Command {
  return cmd
    .option('--partitions <n>', 'number of partitions (default 1; alter can only grow it)')
    .option('--cleanup-policy <policy>', 'delete, compact or compact,delete (default delete)')
    .option('--retention <duration>', 'delete closed segments whose newest record is older (default 7d; -1: never)')
    .option('--retention-bytes <size>', 'keep each partition at most this large (default -1: no limit)')
    .option('--segment-bytes <size>', 'roll to a new segment at this size (default 64M)')
    .option('--segment-ms <duration>', 'roll when the active segment is this old (default 7d)')
    .option(
      '--delete-retention <duration>',
      'keep a tombstone this long after the cleaner first compacted it (default 1d)',
    )
    .option('--min-cleanable-dirty-ratio <ratio>', 'compact when this share of the log is dirty (default 0.5)')
    .option('--min-compaction-lag <duration>', 'never compact records younger than this (default 0)')
    .option('--max-message-bytes <size>', 'largest record accepted (default 1048588)')
    .option(
      '--retention-records <n>',
      'with --broker: keep each partition at about N records (XADD MAXLEN ~ N; default: no limit)',
      intArg('--retention-records'),
    );
}

function sub(parent: Command, name: string, description: string): Command {
  const cmd = withDirOption(newCommand(name, description));
  parent.addCommand(cmd);
  return cmd;
}

/** `esc topic`: create, list, describe, alter and delete topics of a streams directory. */
export function createCommand(): Command {
  const topic = newCommand(
    'topic',
    'manage topics: create, list, describe, alter, delete, compact, verify, stats',
  ).addHelpText('after', '\nExit status: 0 success, 2 error (bad name or flag, unknown topic, damaged data).');

  withConfigFlags(sub(topic, 'create', 'create a topic (Kafka name rules: [A-Za-z0-9._-], at most 249)'))
    .argument('<name>')
    .action(
      runAction(async (name: string, flags: ConfigFlags) => {
        await withTopics(
          flags,
          async (store) => {
            store.createTopic(name, embeddedConfig(flags));
          },
          async (store) => {
            await store.createTopic(name, brokerConfig(flags));
          },
        );
        return emitLines([`Created topic ${name}.`]);
      }),
    );

  sub(topic, 'list', 'list the topics, one per line')
    .option('--internal', 'include internal topics (__consumer_offsets)')
    .action(
      runAction(async (flags: DirFlag & { internal?: boolean }) =>
        emitLines(
          await withTopics(
            flags,
            async (store) => store.listTopics({ internal: flags.internal }),
            (store) => store.listTopics(),
          ),
        ),
      ),
    );

  sub(topic, 'describe', "a topic's settings and, per partition, its offsets, segments and size")
    .argument('<name>')
    .option('--json', 'print one JSON object')
    .action(
      runAction(async (name: string, flags: DirFlag & JsonFlag) =>
        withTopics(
          flags,
          async (store) => {
            const d = store.describeTopic(name);
            if (flags.json) return emitLines([JSON.stringify(d)]);
            return emitLines([
              `Topic: ${d.name}\tPartitionCount: ${d.config.partitions}\tConfigs: ${configText(d.config)}`,
              ...d.partitions.map(
                (p) =>
                  `\tTopic: ${d.name}\tPartition: ${p.partition}\tEarliestOffset: ${p.earliest}\tNextOffset: ${p.next}\tSegments: ${p.segments}\tBytes: ${p.bytes}`,
              ),
            ]);
          },
          async (store) => {
            const d = await store.describeTopic(name);
            if (flags.json) return emitLines([JSON.stringify(d)]);
            return emitLines([
              `Topic: ${d.name}\tPartitionCount: ${d.config.partitions}\tConfigs: ${redisConfigText(d.config)}`,
              ...d.partitions.map(
                (p) =>
                  `\tTopic: ${d.name}\tPartition: ${p.partition}\tEarliestOffset: ${p.earliest}\tNextOffset: ${p.next}\tRecords: ${p.records}\tKey: ${p.key}\tSlot: ${p.slot}`,
              ),
            ]);
          },
        ),
      ),
    );

  withConfigFlags(sub(topic, 'alter', "change a topic's settings (partitions can only grow)"))
    .argument('<name>')
    .action(
      runAction(async (name: string, flags: ConfigFlags) =>
        emitLines([
          `Altered topic ${name}: ${await withTopics(
            flags,
            async (store) => configText(await store.alterTopic(name, embeddedConfig(flags))),
            async (store) => redisConfigText(await store.alterTopic(name, brokerConfig(flags))),
          )}`,
        ]),
      ),
    );

  sub(topic, 'delete', 'delete a topic and its data')
    .argument('<name>')
    .action(
      runAction(async (name: string, flags: DirFlag) => {
        await withTopics(
          flags,
          (store) => store.deleteTopic(name),
          (store) => store.deleteTopic(name),
        );
        return emitLines([`Deleted topic ${name}.`]);
      }),
    );

  sub(topic, 'compact', 'compact a topic now: keep the latest record of every key in its closed segments')
    .argument('<name>')
    .option('--json', 'print one JSON object per partition')
    .action(
      runAction(async (name: string, flags: DirFlag & JsonFlag) =>
        withTopics(
          flags,
          async (store) => {
            const results = await store.compact(name);
            return emitLines(
              results.map((r, partition) => {
                const sum = (f: (g: (typeof r.groups)[number]) => number) => r.groups.reduce((n, g) => n + f(g), 0);
                const line = {
                  partition,
                  segments: r.groups.length,
                  recordsIn: sum((g) => g.recordsIn),
                  recordsOut: sum((g) => g.recordsOut),
                  bytesIn: sum((g) => g.bytesIn),
                  bytesOut: sum((g) => g.bytesOut),
                };
                if (flags.json) return JSON.stringify(line);
                return `${name}/${partition}: ${line.recordsIn} -> ${line.recordsOut} records, ${line.bytesIn} -> ${line.bytesOut} bytes in ${line.segments} segment(s)`;
              }),
            );
          },
          embeddedOnly('topic compact'),
        ),
      ),
    );

  sub(topic, 'verify', 'check every batch, record and index entry (all topics without NAME); damage exits 2')
    .argument('[name]')
    .option('--json', 'the report as JSON')
    .action(
      runAction(async (name: string | undefined, flags: DirFlag & JsonFlag) =>
        withTopics(
          flags,
          async (store) => {
            const reports = store.verify(name);
            const problems = reports.flatMap((r) => r.problems);
            if (flags.json) emitLines([JSON.stringify(reports)]);
            else
              emitLines([
                ...problems.map((p) => `${p.file}: offset ${p.offset}: ${p.message}`),
                `${problems.length === 0 ? 'ok' : 'damaged'}: ${reports.length} partition(s), ${reports.reduce((n, r) => n + r.segments, 0)} segment(s), ${reports.reduce((n, r) => n + r.records, 0)} record(s) checked, ${problems.length} problem(s)`,
              ]);
            const first = problems[0];
            if (first !== undefined) {
              const more = problems.length > 1 ? ` (and ${problems.length - 1} more problem(s))` : '';
              throw new CorruptionError(`${first.message}${more}`, { path: first.file, offset: first.offset });
            }
            return ExitCode.Ok;
          },
          embeddedOnly('topic verify'),
        ),
      ),
    );

  sub(topic, 'stats', 'per partition: offsets, segments, bytes, and the clean point of compacted topics')
    .argument('[name]')
    .option('--json', 'one JSON object per partition')
    .action(
      runAction(async (name: string | undefined, flags: DirFlag & JsonFlag) =>
        withTopics(
          flags,
          async (store) =>
            emitLines(
              store
                .stats(name)
                .map((p) =>
                  flags.json
                    ? JSON.stringify(p)
                    : `${p.topic}/${p.partition}\tearliest ${p.earliest}\tnext ${p.next}\tsegments ${p.segments}\tbytes ${p.bytes}\tpolicy ${p.cleanupPolicy}\tclean to ${p.cleanEnd}\tdirty bytes ${p.dirtyBytes}`,
                ),
            ),
          embeddedOnly('topic stats'),
        ),
      ),
    );

  return topic;
}

/** Kafka's names and values: `cleanup.policy=delete,retention.ms=604800000,…`. */
function configText(c: TopicConfig): string {
  return [
    `cleanup.policy=${c.cleanupPolicy}`,
    `retention.ms=${c.retentionMs}`,
    `retention.bytes=${c.retentionBytes}`,
    `segment.bytes=${c.segmentBytes}`,
    `segment.ms=${c.segmentMs}`,
    `delete.retention.ms=${c.deleteRetentionMs}`,
    `min.cleanable.dirty.ratio=${c.minCleanableDirtyRatio}`,
    `min.compaction.lag.ms=${c.minCompactionLagMs}`,
    `max.message.bytes=${c.maxMessageBytes}`,
    `index.interval.bytes=${c.indexIntervalBytes}`,
  ].join(',');
}

/** The same for a topic on Redis: the settings it has there. */
function redisConfigText(c: RedisTopicConfig): string {
  return [
    `cleanup.policy=${c.cleanupPolicy}`,
    `retention.ms=${c.retentionMs}`,
    `retention.records=${c.retentionRecords}`,
    `max.message.bytes=${c.maxMessageBytes}`,
  ].join(',');
}
