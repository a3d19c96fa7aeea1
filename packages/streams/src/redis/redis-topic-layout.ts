import { keySlot } from '@esc/redis';
import { ForeignEntryError } from './redis-topic-errors.js';

/**
 * Where a topic lives in Redis (docs/formats/redis-topics.md): its config in the string key `esc:topic:NAME`, and
 * partition P in the stream key `esc:topic:{NAME:P}`. The hash tag `{NAME:P}` gives each partition its own slot,
 * so a cluster spreads a topic's partitions over its masters as Kafka spreads them over brokers; topic names
 * (`[A-Za-z0-9._-]`) hold no `{`, `}` or `:`, so no two topics' keys meet.
 */
export const TOPIC_KEY_PREFIX = 'esc:topic:';

export function configKey(topic: string): string {
  return `${TOPIC_KEY_PREFIX}${topic}`;
}

export function partitionKey(topic: string, partition: number): string {
  return `${TOPIC_KEY_PREFIX}{${topic}:${partition}}`;
}

/** The topic a config key names, or null for a partition's stream key (or any other key). */
export function topicOfConfigKey(key: string): string | null {
  if (!key.startsWith(TOPIC_KEY_PREFIX)) return null;
  const name = key.slice(TOPIC_KEY_PREFIX.length);
  return name.length === 0 || /[{}:]/.test(name) ? null : name;
}

export function partitionSlot(topic: string, partition: number): number {
  return keySlot(partitionKey(topic, partition));
}

/**
 * esc offset N is the stream ID `0-(N+1)`: every record is added with `XADD key 0-*`, so Redis itself numbers a
 * partition's records 1, 2, 3… (ID 0-0 is not allowed), and the offsets stay Kafka's dense 0, 1, 2….
 */
export function idOfOffset(offset: number): string {
  return `0-${offset + 1}`;
}

/** The offset of an ID esc wrote (`0-S` is offset S-1); an ID with a time part is not one of esc's. */
export function offsetOfId(id: string): number {
  const dash = id.indexOf('-');
  if (dash < 0 || id.slice(0, dash) !== '0') throw new ForeignEntryError(id);
  return Number(id.slice(dash + 1)) - 1;
}

/** The next offset of a partition from its last-generated-id (`0-0` for a stream that never had a record). */
export function nextOffsetOfLastId(id: string): number {
  return offsetOfId(id) + 1;
}
