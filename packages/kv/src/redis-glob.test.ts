import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { matchesRedisGlob } from './redis-glob.js';

describe('Redis glob', () => {
  it.each([
    ['*', '', true],
    ['*', 'anything', true],
    ['h?llo', 'hello', true],
    ['h?llo', 'hllo', false],
    ['h*llo', 'heeeello', true],
    ['h[ae]llo', 'hallo', true],
    ['h[ae]llo', 'hillo', false],
    ['h[^e]llo', 'hallo', true],
    ['h[^e]llo', 'hello', false],
    ['h[a-b]llo', 'hbllo', true],
    ['h[b-a]llo', 'hallo', true], // Redis accepts a reversed range
    ['h[a-b]llo', 'hcllo', false],
    ['h\\*llo', 'h*llo', true],
    ['h\\*llo', 'hello', false],
    ['[\\]]', ']', true],
    ['user:*:name', 'user:42:name', true],
    ['user:*:name', 'user:42:email', false],
    ['a.c', 'abc', false], // no regex meaning leaks through
    ['(x)', '(x)', true],
    ['*a*a*a*a*a*b', 'a'.repeat(60), false],
    // Bytes, as Redis matches them: é is two bytes of UTF-8.
    ['?', 'é', false],
    ['??', 'é', true],
    ['caf?', 'café', false],
    ['caf*', 'café', true],
    ['[é]', 'é', false],
  ])('%s vs %s → %s', (pattern, key, expected) => {
    expect(matchesRedisGlob(pattern, key)).toBe(expected);
  });

  it('a pattern without special characters matches exactly itself', () => {
    fc.assert(
      fc.property(
        fc.string().filter((s) => !/[*?[\\]/.test(s)),
        fc.string(),
        (p, k) => {
          expect(matchesRedisGlob(p, k)).toBe(p === k);
          expect(matchesRedisGlob(p, p)).toBe(true);
        },
      ),
    );
  });

  it('agrees with a brute-force reference on random patterns over a small alphabet', () => {
    // Reference: the pattern as a regex over a tiny alphabet (fine here: short keys, no blow-up).
    const toRegex = (p: string) => new RegExp(`^${p.replace(/\*/g, '.*').replace(/\?/g, '.')}$`, 's');
    fc.assert(
      fc.property(fc.stringMatching(/^[ab*?]{0,8}$/), fc.stringMatching(/^[ab]{0,10}$/), (p, k) => {
        expect(matchesRedisGlob(p, k)).toBe(toRegex(p).test(k));
      }),
    );
  });

  it('prefix* matches exactly the keys that start with the prefix', () => {
    fc.assert(
      fc.property(
        fc.string().filter((s) => !/[*?[\\]/.test(s)),
        fc.string(),
        (p, k) => {
          expect(matchesRedisGlob(`${p}*`, k)).toBe(k.startsWith(p));
        },
      ),
    );
  });
});
