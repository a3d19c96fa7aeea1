import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LineMatcher } from './line-matcher.js';

// The byte-level fast paths (plain literal, -w literal, prefilters) must agree with the plain regex they
// stand for, which is the definition of a match.
const text = fc
  .array(fc.constantFrom('a', 'b', 'A', '_', ' ', '-', '1', '\r', 'é'), { maxLength: 24 })
  .map((c) => c.join(''));
const word = fc
  .array(fc.constantFrom('a', 'b', 'A', '1', '-', ' '), { minLength: 1, maxLength: 3 })
  .map((c) => c.join(''));

function reference(pattern: string, flags: { w?: boolean; i?: boolean }): RegExp {
  const escaped = pattern.replace(/[\\^$.|?*+()[\]{}/-]/g, '\\$&');
  const source = flags.w ? `(?<![A-Za-z0-9_])(?:${escaped})(?![A-Za-z0-9_])` : escaped;
  return new RegExp(source, flags.i ? 'gi' : 'g');
}

function rangesOf(re: RegExp, line: string): number[] {
  const out: number[] = [];
  for (const m of line.matchAll(re)) if (m[0].length > 0) out.push(m.index, m.index + m[0].length);
  return out;
}

describe('LineMatcher', () => {
  for (const flags of [{}, { w: true }, { i: true }, { w: true, i: true }]) {
    it(`agrees with the regex for fixed strings ${JSON.stringify(flags)}`, () => {
      fc.assert(
        fc.property(word, fc.array(text, { minLength: 1, maxLength: 6 }), (pattern, lines) => {
          const matcher = new LineMatcher([pattern], { fixedStrings: true, wordRegexp: flags.w, ignoreCase: flags.i });
          const chunk = Buffer.from(lines.join('\n'), 'latin1');
          let start = 0;
          for (const line of lines) {
            const end = start + line.length;
            const re = reference(pattern, flags);
            expect(matcher.isMatch(chunk, start, end)).toBe(
              rangesOf(re, line).length > 0 || (pattern === '' && !flags.w),
            );
            expect(matcher.ranges(chunk, start, end)).toEqual(rangesOf(re, line));
            start = end + 1;
          }
        }),
        { numRuns: 400 },
      );
    });
  }

  it('finds every matching line through its prefilter', () => {
    fc.assert(
      fc.property(
        fc.array(text, { minLength: 1, maxLength: 12 }),
        fc.constantFrom('ab', 'a+b', 'A', '-1|b_', '^a', 'b\r$', 'a.?b'),
        fc.boolean(),
        (lines, pattern, ignoreCase) => {
          const matcher = new LineMatcher([pattern], { ignoreCase });
          const chunk = Buffer.from(`${lines.join('\n')}\n`, 'latin1');
          const re = new RegExp(pattern, ignoreCase ? 'si' : 's');
          let start = 0;
          for (const line of lines) {
            const end = start + line.length;
            if (re.test(line)) {
              const hit = matcher.prefilter.find(chunk, start);
              expect(hit).toBeGreaterThanOrEqual(start);
              expect(hit).toBeLessThanOrEqual(end);
              expect(matcher.isMatch(chunk, start, end)).toBe(true);
            } else {
              expect(matcher.isMatch(chunk, start, end)).toBe(false);
            }
            start = end + 1;
          }
        },
      ),
      { numRuns: 400 },
    );
  });

  // -w consumes its neighbours instead of looking around them (so V8's linear fallback applies): the ranges
  // must still be those of the lookaround form, which is the definition.
  it('finds -w matches as the lookaround regex does', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('a', 'a*', 'ab|b', '-1', 'a?b?', '^a', 'b$', '[a-]+', '_?', ''),
        fc.array(text, { minLength: 1, maxLength: 6 }),
        fc.boolean(),
        (pattern, lines, ignoreCase) => {
          const matcher = new LineMatcher([pattern], { wordRegexp: true, ignoreCase });
          const re = new RegExp(`(?<![A-Za-z0-9_])(?:${pattern})(?![A-Za-z0-9_])`, ignoreCase ? 'gis' : 'gs');
          const chunk = Buffer.from(lines.join('\n'), 'latin1');
          let start = 0;
          for (const line of lines) {
            const end = start + line.length;
            expect(matcher.isMatch(chunk, start, end)).toBe(
              new RegExp(re.source, re.flags.replace('g', '')).test(line),
            );
            expect(matcher.ranges(chunk, start, end)).toEqual(rangesOf(re, line));
            start = end + 1;
          }
        },
      ),
      { numRuns: 400 },
    );
  });

  // countLines decodes a chunk in windows of whole lines; lines longer than a window must count as one.
  it('counts matching lines of a chunk as the regex does, with lines longer than its decoding window', () => {
    const longLine = fc
      .tuple(fc.integer({ min: 0, max: 40_000 }), fc.constantFrom('INFO', 'xINFO', 'INFO_', ' INFO', ''))
      .map(([n, word]) => `${'y'.repeat(n)}${word}`);
    const line = fc.oneof(longLine, fc.constantFrom('INFO', 'a INFO', 'xINFO', '', 'WARN', 'INFO-1'));
    fc.assert(
      fc.property(fc.array(line, { maxLength: 8 }), fc.boolean(), fc.boolean(), (lines, word, finalNewline) => {
        const text = lines.join('\n') + (finalNewline && lines.length > 0 ? '\n' : '');
        const matcher = new LineMatcher(['INFO'], { wordRegexp: word });
        const counts = { lines: 0, matching: 0 };
        expect(matcher.countLines(Buffer.from(text, 'latin1'), counts)).toBe(true);
        const all = text === '' ? [] : text.replace(/\n$/, '').split('\n');
        const re = word ? /(?<![A-Za-z0-9_])INFO(?![A-Za-z0-9_])/ : /INFO/;
        expect(counts).toEqual({ lines: all.length, matching: all.filter((l) => re.test(l)).length });
      }),
      { numRuns: 200 },
    );
  });

  it('takes the longest match over several patterns at the leftmost position, as grep', () => {
    const ranges = (patterns: string[], line: string) =>
      new LineMatcher(patterns).ranges(Buffer.from(line, 'latin1'), 0, line.length);
    // The property test's counterexample (seed -1129137707): grep -o prints "ab".
    expect(ranges(['^a', 'in|ab'], 'ab')).toEqual([0, 2]);
    expect(ranges(['a', 'abc', 'bcd'], 'abcd abc')).toEqual([0, 3, 5, 8]);
    expect(ranges(['x*', 'b'], 'abxb')).toEqual([1, 2, 2, 3, 3, 4]);
  });

  it('says a text implies a match only when every line holding it matches (property)', () => {
    // The text is put in a line between random neighbours; a claimed implication must hold for all of them.
    const patterns = fc.constantFrom('ab', 'a b', 'a-1', '^a', 'b$', '^a b$', 'a.b', '\\ba', 'a(?=b)', '[^a]b', '1+');
    const flags = fc.record({ w: fc.boolean(), x: fc.boolean(), i: fc.boolean(), F: fc.boolean() });
    fc.assert(
      fc.property(patterns, flags, text, text, text, fc.boolean(), fc.boolean(), (p, f, inner, left, right, s, e) => {
        const matcher = new LineMatcher([p], { wordRegexp: f.w, lineRegexp: f.x, ignoreCase: f.i, fixedStrings: f.F });
        if (!matcher.impliesMatch(inner, s, e)) return;
        expect(matcher.matchesLine((s ? '' : left) + inner + (e ? '' : right))).toBe(true);
      }),
      { numRuns: 3000 },
    );
    expect(new LineMatcher(['ab']).impliesMatch('xaby', false, false)).toBe(true);
    expect(new LineMatcher(['^ab']).impliesMatch('ab', false, true)).toBe(false);
    expect(new LineMatcher(['^ab']).impliesMatch('ab x', true, false)).toBe(true);
    expect(new LineMatcher(['ab'], { wordRegexp: true }).impliesMatch('ab', false, true)).toBe(false);
    expect(new LineMatcher(['ab'], { wordRegexp: true }).impliesMatch(' ab ', false, false)).toBe(true);
  });

  it('reports an invalid pattern as a one-line error', () => {
    expect(() => new LineMatcher(['a(b'])).toThrow(/^invalid regular expression 'a\(b': /);
    // Not made valid by the -w or -x wrapper.
    expect(() => new LineMatcher(['a)(b'], { wordRegexp: true })).toThrow(/^invalid regular expression 'a\)\(b': /);
    expect(() => new LineMatcher(['x', 'a)|(b'], { lineRegexp: true })).toThrow(
      /^invalid regular expression 'a\)\|\(b': /,
    );
  });
});
