import { z } from 'zod';
import { InvalidConfigError } from '../stream-errors.js';
import { type TopicConfigInput, topicConfigSchema } from '../topic-config.js';

/**
 * A topic's settings on Redis, stored as JSON in its config key. Of Kafka's configs only those Redis Streams can
 * honour: partitions, time retention (a MINID trim), max.message.bytes; plus retentionRecords, a length limit
 * (XADD's `MAXLEN ~`), where the embedded log limits bytes. There is no log cleaner, so no compaction.
 */
export const redisTopicConfigSchema = z.strictObject({
  partitions: topicConfigSchema.shape.partitions,
  cleanupPolicy: z.literal('delete').default('delete'),
  retentionMs: topicConfigSchema.shape.retentionMs,
  /** -1: no length limit. */
  retentionRecords: z.number().int().min(-1).default(-1),
  maxMessageBytes: topicConfigSchema.shape.maxMessageBytes,
});

export type RedisTopicConfig = z.output<typeof redisTopicConfigSchema>;
export type RedisTopicConfigInput = TopicConfigInput & { retentionRecords?: number };

/** The embedded log's settings that mean nothing without segments or a cleaner, by Kafka's name. */
const SEGMENT_SETTINGS: Partial<Record<keyof TopicConfigInput, string>> = {
  retentionBytes: 'retention.bytes (a stream has no byte size to limit: use retentionRecords, MAXLEN)',
  segmentBytes: 'segment.bytes',
  segmentMs: 'segment.ms',
  deleteRetentionMs: 'delete.retention.ms',
  minCleanableDirtyRatio: 'min.cleanable.dirty.ratio',
  minCompactionLagMs: 'min.compaction.lag.ms',
  indexIntervalBytes: 'index.interval.bytes',
};

/** Checks settings for a Redis topic; refuses compaction and the segment settings with one line each. */
export function parseRedisTopicConfig(input: RedisTopicConfigInput): RedisTopicConfig {
  if (input.cleanupPolicy !== undefined && input.cleanupPolicy !== 'delete')
    throw new InvalidConfigError(
      `cleanup.policy=${input.cleanupPolicy} is not available on Redis: Redis Streams have no log cleaner (keep the latest value per key in esc kv --store redis://…)`,
    );
  for (const [field, name] of Object.entries(SEGMENT_SETTINGS))
    if (
      input[field as keyof TopicConfigInput] !== undefined &&
      !(field === 'retentionBytes' && input.retentionBytes === -1)
    )
      throw new InvalidConfigError(`${name} does not apply to a topic on Redis`);
  const result = redisTopicConfigSchema.safeParse({
    partitions: input.partitions,
    retentionMs: input.retentionMs,
    retentionRecords: input.retentionRecords,
    maxMessageBytes: input.maxMessageBytes,
  });
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  throw new InvalidConfigError(`invalid topic config ${issue.path.join('.')}: ${issue.message}`);
}
