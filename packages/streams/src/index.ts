export {
  openStreams,
  defaultStreamsDir,
  TopicStore,
  type StreamsOptions,
  type ProduceRecord,
  type ProduceColumns,
  type AppendOptions,
  type ReadFrom,
  type PartitionInfo,
  type PartitionStats,
} from './topic-store.js';
export type { PartitionVerifyReport, VerifyProblem } from './log-verifier.js';
export type { CleanResult } from './partition-cleaner.js';
export type { CleanedGroup } from './log-cleaner.js';
export type { RetentionResult } from './log-retention.js';
export { CONSUMER_OFFSETS_TOPIC } from './consumer-offsets.js';
export { StateTopic, type StateChange } from './state-topic.js';
export { PeriodicSync } from './periodic-sync.js';
export { deleteSegmentsBelow } from './delete-records.js';
export { consume, type ConsumeOptions, type ConsumedBatch } from './topic-consumer.js';
export type { PartitionReader, PartitionBounds } from './partition-reader.js';
export { RecordLookup } from './record-lookup.js';
export { encodeBatch, type LogRecord, type RecordHeader } from './record-batch.js';
export { positionsOf, type SyncMode, type RecordPosition, type AppendAck } from './topic-writer.js';
export { topicConfigSchema, type TopicConfig, type TopicConfigInput, type CleanupPolicy } from './topic-config.js';
export { validateTopicName, MAX_TOPIC_NAME_LENGTH } from './topic-name.js';
export { partitionForKey, murmur2 } from './partitioner.js';
export { TopicLockedError } from './topic-lock.js';
export {
  InvalidTopicError,
  UnknownTopicError,
  TopicExistsError,
  UnknownPartitionError,
  InvalidConfigError,
  RecordTooLargeError,
  OffsetOutOfRangeError,
  InvalidBatchError,
} from './stream-errors.js';
export { topicConfigFromFlags, parseByteSize, parseDurationMs, type TopicFlags } from './topic-flags.js';
export {
  openRedisTopics,
  RedisTopicStore,
  type RedisTopicsOptions,
  type RedisAppendOptions,
  type RedisPartitionInfo,
} from './redis/redis-topic-store.js';
export { consumeRedis, type RedisConsumeOptions } from './redis/redis-topic-consumer.js';
export type { RedisTopicConfig, RedisTopicConfigInput } from './redis/redis-topic-config.js';
export { ReplicasNotAcknowledgedError, ForeignEntryError } from './redis/redis-topic-errors.js';
