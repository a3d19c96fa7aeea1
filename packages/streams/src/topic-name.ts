import { InvalidTopicError } from './stream-errors.js';

/** Kafka's limit (249 = 255 minus room for a partition suffix and an index extension in a file name). */
export const MAX_TOPIC_NAME_LENGTH = 249;
const LEGAL = /^[A-Za-z0-9._-]+$/;

/** Names starting with this are internal topics (`__consumer_offsets`), as in Kafka. */
const INTERNAL_PREFIX = '__';

/**
 * Kafka's topic name rules (`Topic.validate`): 1 to 249 characters from `[A-Za-z0-9._-]`, not `.` or `..`.
 * Checked before a name becomes a path, so `../x` never reaches the file system.
 */
export function validateTopicName(name: string): void {
  if (name.length === 0) throw new InvalidTopicError(name, 'topic name is empty');
  if (name === '.' || name === '..') throw new InvalidTopicError(name, "topic name cannot be '.' or '..'");
  if (name.length > MAX_TOPIC_NAME_LENGTH)
    throw new InvalidTopicError(name, `topic name is longer than ${MAX_TOPIC_NAME_LENGTH} characters`);
  if (!LEGAL.test(name))
    throw new InvalidTopicError(name, 'topic name may contain only ASCII letters, digits, ., _ and -');
}

export function isInternalTopic(name: string): boolean {
  return name.startsWith(INTERNAL_PREFIX);
}
