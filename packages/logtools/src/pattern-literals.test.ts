import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { analyzePattern, escapeRegExp, toBytePattern } from './pattern-literals.js';

describe('analyzePattern', () => {
  it('finds the literal every match must contain', () => {
    expect(analyzePattern('blk_-?[0-9]+ of size [0-9]+')).toEqual({ pure: null, required: ' of size ' });
    expect(analyzePattern('ERROR')).toEqual({ pure: 'ERROR', required: 'ERROR' });
    expect(analyzePattern('dfs\\.DataNode\\$')).toEqual({ pure: 'dfs.DataNode$', required: 'dfs.DataNode$' });
    expect(analyzePattern('a|b').required).toBe('');
    expect(analyzePattern('(ab|cd)xyz').required).toBe('xyz');
    expect(analyzePattern('abcd?e').required).toBe('abc');
    expect(analyzePattern('ab+c').required).toBe('ab');
    expect(analyzePattern('\\x41BC').required).toBe('BC');
    expect(analyzePattern('x{2,3}yz').required).toBe('yz');
    expect(analyzePattern('a{,3}').pure).toBe('a{,3}');
    expect(analyzePattern('[a-z]+foo\\d').required).toBe('foo');
    expect(analyzePattern('').pure).toBe('');
  });

  // The property the search relies on: a line the regex matches always contains the required literal.
  const alphabet = fc.constantFrom('a', 'b', 'c', '-', ' ', '1');
  const atom = fc.oneof(
    alphabet,
    fc.constantFrom('.', '\\d', '[ab]', '[^a]', '(a|bc)', '(?:ab)', '\\b', '^', '$', '\\.', '\\x61', '\\-'),
  );
  const quantified = fc
    .tuple(atom, fc.constantFrom('', '', '', '?', '*', '+', '{2}', '{0,2}', '+?'))
    .map(([a, q]) => (/^[\^$]|\\b/.test(a) ? a : a + q));
  const pattern = fc.array(quantified, { minLength: 1, maxLength: 8 }).map((parts) => parts.join(''));
  const text = fc
    .array(fc.constantFrom('a', 'b', 'c', '-', ' ', '1', '.', 'x'), { maxLength: 30 })
    .map((c) => c.join(''));

  it('never claims a literal a match can lack', () => {
    fc.assert(
      fc.property(pattern, fc.array(text, { minLength: 1, maxLength: 20 }), (source, lines) => {
        const re = new RegExp(source, 's');
        const { required, pure } = analyzePattern(source);
        for (const line of lines) {
          if (re.test(line)) expect(line).toContain(required);
          if (pure !== null) expect(re.test(line)).toBe(line.includes(pure));
        }
      }),
      { numRuns: 2000 },
    );
  });
});

describe('toBytePattern', () => {
  it('matches the UTF-8 bytes of non-ASCII characters, a quantifier applying to the whole character', () => {
    const latin1 = (s: string) => Buffer.from(s, 'utf8').toString('latin1');
    expect(new RegExp(toBytePattern('café'), 's').test(latin1('un café'))).toBe(true);
    expect(new RegExp(`^${toBytePattern('é+')}$`, 's').test(latin1('ééé'))).toBe(true);
    expect(new RegExp(toBytePattern('a€b'), 's').test(latin1('a€b'))).toBe(true);
    expect(toBytePattern('plain [a-z]+')).toBe('plain [a-z]+');
  });

  it('escapeRegExp makes any text literal', () => {
    fc.assert(
      fc.property(fc.string(), (s) => {
        expect(new RegExp(`^${escapeRegExp(s)}$`).test(s)).toBe(true);
      }),
    );
  });
});
