import { describe, expect, it } from 'vitest';
import { InvalidTopicError } from './stream-errors.js';
import { validateTopicName } from './topic-name.js';

describe('validateTopicName (Kafka rules)', () => {
  it.each(['orders', 'a', 'A.b_c-9', 'x'.repeat(249), '__consumer_offsets', '...'])('accepts %s', (name) => {
    expect(() => validateTopicName(name)).not.toThrow();
  });

  it.each([
    ['', /empty/],
    ['.', /'\.' or '\.\.'/],
    ['..', /'\.' or '\.\.'/],
    ['../x', /only ASCII letters/],
    ['a/b', /only ASCII letters/],
    ['a b', /only ASCII letters/],
    ['é', /only ASCII letters/],
    ['x'.repeat(250), /longer than 249/],
  ])('refuses %j', (name, message) => {
    expect(() => validateTopicName(name)).toThrow(InvalidTopicError);
    expect(() => validateTopicName(name)).toThrow(message);
  });
});
