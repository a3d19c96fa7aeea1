export { topicConfigSchema, type TopicConfig, type TopicConfigInput, type CleanupPolicy } from './topic-config.js';
export { validateTopicName, MAX_TOPIC_NAME_LENGTH } from './topic-name.js';
export {
  InvalidTopicError,
  UnknownTopicError,
  TopicExistsError,
  UnknownPartitionError,
  InvalidConfigError,
  RecordTooLargeError,
  OffsetOutOfRangeError,
} from './stream-errors.js';
