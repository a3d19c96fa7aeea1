import { z } from 'zod';

const MS_7D = 7 * 24 * 3600 * 1000;

/**
 * A topic's settings: Kafka's topic configs in camelCase, with Kafka's meanings and defaults except
 * segmentBytes (64 MiB instead of 1 GiB: retention and compaction act on closed segments, and one machine's
 * topics are smaller). The table in docs/streams.md says what each one means.
 */
export const topicConfigSchema = z.strictObject({
  partitions: z.number().int().min(1).max(10_000).default(1),
  cleanupPolicy: z.enum(['delete', 'compact', 'compact,delete']).default('delete'),
  /** -1: no time limit. */
  retentionMs: z.number().int().min(-1).default(MS_7D),
  /** -1: no size limit. */
  retentionBytes: z.number().int().min(-1).default(-1),
  segmentBytes: z
    .number()
    .int()
    .min(14)
    .max(2 ** 30)
    .default(64 * 1024 * 1024),
  segmentMs: z.number().int().min(1).default(MS_7D),
  deleteRetentionMs: z
    .number()
    .int()
    .min(0)
    .default(24 * 3600 * 1000),
  minCleanableDirtyRatio: z.number().min(0).max(1).default(0.5),
  minCompactionLagMs: z.number().int().min(0).default(0),
  /** Kafka's default: 1 MiB plus 12 bytes of log overhead. */
  maxMessageBytes: z
    .number()
    .int()
    .min(64)
    .max(2 ** 30)
    .default(1024 * 1024 + 12),
  indexIntervalBytes: z.number().int().min(0).default(4096),
});

export type TopicConfig = z.output<typeof topicConfigSchema>;
export type TopicConfigInput = z.input<typeof topicConfigSchema>;
export type CleanupPolicy = TopicConfig['cleanupPolicy'];

export function deletes(policy: CleanupPolicy): boolean {
  return policy !== 'compact';
}

export function compacts(policy: CleanupPolicy): boolean {
  return policy !== 'delete';
}
