import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { validateTopicName } from '@esc/streams';
import { keyForTopic, topicForKey } from './stream-key.js';

describe('stream key <-> topic name', () => {
  it('keeps a key that is already a topic name, escapes any other', () => {
    expect(topicForKey(Buffer.from('orders'))).toBe('orders');
    expect(topicForKey(Buffer.from('a.b-c_d'))).toBe('a.b-c_d');
    expect(topicForKey(Buffer.from('user:1'))).toBe('_user_3a1');
    expect(topicForKey(Buffer.from('_tmp'))).toBe('__5ftmp');
    expect(topicForKey(Buffer.from(''))).toBe('_');
    expect(topicForKey(Buffer.from('..'))).toBe('_..');
    expect(topicForKey(Buffer.from([0xff, 0x00]))).toBe('__ff_00');
    expect(topicForKey(Buffer.alloc(249, 'a'))).toBe('a'.repeat(249));
    expect(topicForKey(Buffer.alloc(250, 'a'))).toBeNull();
    expect(topicForKey(Buffer.alloc(100, ':'))).toBeNull();
  });

  it('is one to one: every key maps to a valid topic name that maps back, and other _ names are no stream', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 40 }), (bytes) => {
        const key = Buffer.from(bytes);
        const topic = topicForKey(key)!;
        expect(() => validateTopicName(topic)).not.toThrow();
        expect(keyForTopic(topic)).toEqual(key);
      }),
    );
    expect(keyForTopic('__consumer_offsets')).toBeNull();
    expect(keyForTopic('__redis_streams')).toBeNull();
    expect(keyForTopic('_foo')).toBeNull(); // foo is its own topic: _foo is no escape
    expect(keyForTopic('_3A')).toBeNull();
    expect(keyForTopic('_a_2d')).toBeNull(); // - needs no escape
    expect(keyForTopic('_a_3a')).toEqual(Buffer.from('a:'));
  });
});
