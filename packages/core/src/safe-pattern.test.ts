import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { analyzePatternShape } from './pattern-shape.js';
import { compileUserPattern, InvalidPatternError, UnsafePatternError } from './safe-pattern.js';

// Classic catastrophic patterns and an input that makes a backtracking engine try 2^40 (or 40^12) paths.
// The expected answers come from V8's linear-time engine (the `l` flag), which runs the same JavaScript
// semantics without backtracking. Each must finish: vitest's per-test timeout is the bound, not a timing.
const EVIL = `${'a'.repeat(40)}b`;
const CATASTROPHIC = [
  '(a+)+$',
  '(a|a)*$',
  '(a|aa)+$',
  '(.*a){12}$',
  '^(a*)*$',
  '((a+)|b)+c',
  '(?:a+a+)+$',
  '(\\w+\\s?)+$',
  'a?'.repeat(40) + 'a'.repeat(40),
];

describe('compileUserPattern', () => {
  for (const source of CATASTROPHIC) {
    for (const ignoreCase of [false, true]) {
      it(`runs ${source}${ignoreCase ? ' (ignoring case)' : ''} on an adversarial line`, () => {
        const re = compileUserPattern(source, { flags: 's', ignoreCase });
        const reference = new RegExp(source, 'sl');
        for (const text of [EVIL, EVIL.toUpperCase(), 'a'.repeat(40)]) {
          const want = ignoreCase ? reference.exec(text.toLowerCase()) : reference.exec(text);
          const got = re.exec(text);
          expect(got?.index).toEqual(want?.index);
          expect(got?.[0].length).toEqual(want?.[0].length);
        }
      });
    }
  }

  it('refuses a backreference or lookaround only when its time cannot be bounded', () => {
    for (const source of [
      '(a+)+\\1',
      '(a|b)*\\1',
      '(?=(a+)+$)',
      '(\\w+)\\s+\\1',
      '(\\w+)\\s*\\w+\\1',
      '(a+)\\1',
      '(\\w+)\\w+\\1',
      '(?<=\\w+\\s\\w+)x',
      'a*a*(?!b)',
      '(?<x>a*)\\k<x>b*c',
      `${'a?'.repeat(20)}(?=b)`,
      '(?<=x).{0,200}y.{0,200}',
    ]) {
      expect(() => compileUserPattern(source), source).toThrow(UnsafePatternError);
    }
    for (const source of [
      '(a)\\1',
      'foo(?!bar)',
      '(?<=\\[)ERROR.*',
      '(\\w+) \\1',
      '(?<y>ab)\\k<y>',
      '.{0,200}(?=x)',
      '(\\d+)=\\1,[^,]+,',
    ]) {
      expect(() => compileUserPattern(source), source).not.toThrow();
    }
  });

  it('names the pattern and the reason in one line', () => {
    expect(() => compileUserPattern('(a+)+\\1')).toThrow(
      /^pattern '\(a\+\)\+\\1' refused: it needs the backtracking engine \(a backreference\) and repeats a part/,
    );
    expect(() => compileUserPattern('a(b', { shown: 'user a(b' })).toThrow(InvalidPatternError);
    expect(() => compileUserPattern('a(b')).toThrow(/^invalid regular expression 'a\(b': Unterminated group$/);
  });

  it('keeps case-insensitive backreferences with the i flag', () => {
    const re = compileUserPattern('(a)\\1', { ignoreCase: true });
    expect(re.flags).toContain('i');
    expect(re.test('aA')).toBe(true);
  });

  // The caseless rewrite must match exactly what V8's own `i` does on ASCII text.
  it('rewrites case-insensitivity as V8 reads it, on ASCII text', () => {
    const token = fc.constantFrom(
      'a',
      'B',
      'z',
      '[a-c]',
      '[^x]',
      '[Y-b]',
      '[-a]',
      '[a-]',
      '[\\dq-s]',
      '[\\w-]',
      '[\\b]',
      '\\x41',
      '\\u0062',
      '\\w',
      '\\W',
      '.',
      '(?:a|B)',
      '(?<n>c)',
      '-',
      '\\cJ',
      '\\c1',
      '[\\c1]',
      'x{2}',
      'y?',
      'k*',
      '\\b',
      '\\0',
      '[\\x5a-\\x61]',
      '\\e',
      '{',
      '}',
      '^',
      '$',
    );
    const text = fc
      .array(
        fc.constantFrom(
          'a',
          'A',
          'b',
          'B',
          'c',
          'C',
          'x',
          'X',
          'y',
          'Y',
          'z',
          'Z',
          '_',
          '-',
          '[',
          '`',
          '\n',
          ' ',
          '0',
          '\0',
        ),
        {
          maxLength: 12,
        },
      )
      .map((c) => c.join(''));
    fc.assert(
      fc.property(
        fc.array(token, { minLength: 1, maxLength: 5 }),
        fc.array(text, { maxLength: 6 }),
        (tokens, texts) => {
          const source = tokens.join('');
          let reference: RegExp;
          try {
            reference = new RegExp(source, 'gi');
          } catch {
            return; // `{` after `^` and the like: not a pattern
          }
          const rewritten = compileUserPattern(source, { flags: 'g', ignoreCase: true });
          expect(rewritten.flags).not.toContain('i');
          for (const t of texts) {
            expect([...t.matchAll(rewritten)].map((m) => [m.index, m[0]])).toEqual(
              [...t.matchAll(reference)].map((m) => [m.index, m[0]]),
            );
          }
        },
      ),
      { numRuns: 500 },
    );
  });
});

describe('analyzePatternShape', () => {
  it('counts repetitions along the worst path and finds nesting', () => {
    expect(analyzePatternShape('a*b+c?d{3}e{2,5}')).toMatchObject({ degree: 1, paths: 8, nestedRepetition: false });
    expect(analyzePatternShape('a*|b*c*')).toMatchObject({ degree: 2, paths: 2, nestedRepetition: false });
    expect(analyzePatternShape('(a?){25}')).toMatchObject({ nestedRepetition: true });
    expect(analyzePatternShape('(?:ab)+')).toMatchObject({ degree: 1, nestedRepetition: false });
    expect(analyzePatternShape('(?:a|b)?')).toMatchObject({ degree: 0, paths: 3, nestedRepetition: false });
    expect(analyzePatternShape('(?:a|b)+')).toMatchObject({ nestedRepetition: true });
    expect(analyzePatternShape('(a*)+')).toMatchObject({ nestedRepetition: true });
    expect(analyzePatternShape('[(+]*\\(a+\\)')).toMatchObject({ degree: 1, nestedRepetition: false });
    // A repetition followed by a character it cannot match gives no choice of length: `\w+\s` is degree 0.
    expect(analyzePatternShape('(\\w+) \\1')).toMatchObject({ degree: 1 });
    expect(analyzePatternShape('(\\w+)\\s+\\1')).toMatchObject({ degree: 2 });
    expect(analyzePatternShape('(a+)\\1')).toMatchObject({ degree: 2 });
    expect(analyzePatternShape('\\w+\\s\\w+=')).toMatchObject({ degree: 0 });
    expect(analyzePatternShape('\\w+\\s*\\w+')).toMatchObject({ degree: 2 });
    expect(analyzePatternShape('[a-z]+[A-Z]')).toMatchObject({ degree: 1 });
    expect(analyzePatternShape('\\S+ ')).toMatchObject({ degree: 0 });
    expect(analyzePatternShape('\\s+\\S')).toMatchObject({ degree: 1 });
    expect(analyzePatternShape('[^,]+,')).toMatchObject({ degree: 0 });
  });

  it('finds backreferences and lookarounds, not look-alikes', () => {
    expect(analyzePatternShape('(a)\\1')).toMatchObject({ backreference: true, lookaround: false });
    expect(analyzePatternShape('(?<x>a)\\k<x>')).toMatchObject({ backreference: true });
    expect(analyzePatternShape('a(?<=b)(?!c)')).toMatchObject({ backreference: false, lookaround: true });
    expect(analyzePatternShape('(?<name>a)[\\1]\\\\1')).toMatchObject({ backreference: false, lookaround: false });
  });
});
