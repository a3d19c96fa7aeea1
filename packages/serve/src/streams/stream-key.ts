import { MAX_TOPIC_NAME_LENGTH } from '@esc/streams';

/**
 * Stream key <-> topic name. Redis keys are any bytes; topic names are Kafka's `[A-Za-z0-9._-]{1,249}`, not `.`
 * or `..`. A key that is already such a name and does not start with `_` is its own topic name, so `orders` is
 * the topic `orders` and `esc consume orders` reads it. Any other key becomes `_` followed by its bytes with every
 * byte outside `[A-Za-z0-9.-]` written `_xx` (two lowercase hex digits): `user:1` -> `_user_3a1`, `_tmp` ->
 * `__5ftmp`, the empty key -> `_`. The mapping is one to one: a topic name starting with `_` that is not the
 * canonical escape of some key (`__consumer_offsets`, a produced `_foo`) is no stream.
 */
const PLAIN = /^[A-Za-z0-9.-][A-Za-z0-9._-]*$/;
const SAFE_BYTE = new Uint8Array(256);
for (const c of 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789.-') SAFE_BYTE[c.charCodeAt(0)] = 1;

/** The topic name of a stream key, or null when even escaped it is longer than a topic name may be. */
export function topicForKey(key: Buffer): string | null {
  if (key.length > 0 && key.length <= MAX_TOPIC_NAME_LENGTH) {
    const text = key.toString('latin1');
    if (PLAIN.test(text) && text !== '.' && text !== '..') return text;
  }
  let out = '_';
  for (const b of key) {
    out += SAFE_BYTE[b] === 1 ? String.fromCharCode(b) : `_${b.toString(16).padStart(2, '0')}`;
    if (out.length > MAX_TOPIC_NAME_LENGTH) return null;
  }
  return out;
}

/** The stream key a topic name stands for, or null when the topic is no stream's (see topicForKey). */
export function keyForTopic(topic: string): Buffer | null {
  if (!topic.startsWith('_')) return Buffer.from(topic, 'latin1');
  const bytes: number[] = [];
  for (let i = 1; i < topic.length; i++) {
    const c = topic.charCodeAt(i);
    if (c !== 0x5f) {
      bytes.push(c);
      continue;
    }
    const hex = topic.slice(i + 1, i + 3);
    if (!/^[0-9a-f]{2}$/.test(hex)) return null;
    bytes.push(Number.parseInt(hex, 16));
    i += 2;
  }
  const key = Buffer.from(bytes);
  return topicForKey(key) === topic ? key : null;
}
