import { describe, expect, it } from 'vitest';
import { topicConfigSchema } from './topic-config.js';

describe('topicConfigSchema', () => {
  it("fills in Kafka's defaults", () => {
    expect(topicConfigSchema.parse({})).toEqual({
      partitions: 1,
      cleanupPolicy: 'delete',
      retentionMs: 604_800_000,
      retentionBytes: -1,
      segmentBytes: 64 * 1024 * 1024,
      segmentMs: 604_800_000,
      deleteRetentionMs: 86_400_000,
      minCleanableDirtyRatio: 0.5,
      minCompactionLagMs: 0,
      maxMessageBytes: 1_048_588,
      indexIntervalBytes: 4096,
    });
  });

  it('refuses unknown settings and out-of-range values', () => {
    expect(topicConfigSchema.safeParse({ partition: 2 }).success).toBe(false);
    expect(topicConfigSchema.safeParse({ partitions: 0 }).success).toBe(false);
    expect(topicConfigSchema.safeParse({ cleanupPolicy: 'delete,compact' }).success).toBe(false);
    expect(topicConfigSchema.safeParse({ minCleanableDirtyRatio: 1.5 }).success).toBe(false);
    expect(topicConfigSchema.safeParse({ segmentBytes: 2 ** 31 }).success).toBe(false);
  });
});
