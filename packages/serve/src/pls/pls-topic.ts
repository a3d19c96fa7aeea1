import { type TopicStore, TopicExistsError, UnknownTopicError, validateTopicName } from '@esc/streams';

const checked = new Set<string>();

/**
 * Why a PLS client may not use this topic, or null. Topics are esc topics (Kafka's naming rules); the internal
 * ones (`__consumer_offsets`, Kafka's `__` prefix) are not for clients. Names that passed are remembered, so a
 * producer's hot path pays a Set lookup, not a regular expression.
 */
export function checkPlsTopic(topic: string): string | null {
  if (checked.has(topic)) return null;
  if (topic.startsWith('__')) return "topics starting with '__' are internal";
  try {
    validateTopicName(topic);
  } catch (err) {
    return (err as Error).message;
  }
  if (checked.size < 100_000) checked.add(topic);
  return null;
}

/** The topic's partition count, creating it with the defaults when missing (as PUB does, as Kafka's auto-create). */
export function ensureTopic(topics: TopicStore, topic: string): number {
  try {
    return topics.topicConfig(topic).partitions;
  } catch (err) {
    if (!(err instanceof UnknownTopicError)) throw err;
  }
  try {
    return topics.createTopic(topic).partitions;
  } catch (err) {
    if (!(err instanceof TopicExistsError)) throw err;
    return topics.topicConfig(topic).partitions;
  }
}
