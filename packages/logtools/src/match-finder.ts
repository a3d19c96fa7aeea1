import { compileUserPattern, InvalidPatternError } from '@esc/core';

/** A letter, digit or underscore in the C locale: what -w must not find next to a match. */
const WORD = 'A-Za-z0-9_';

export interface FinderOptions {
  ignoreCase?: boolean;
  wordRegexp?: boolean;
  lineRegexp?: boolean;
}

/**
 * Where one pattern matches in a line: the leftmost match starting at or after a position, with grep's -w
 * and -x applied. Every regex is compiled through core's compileUserPattern, so each runs in bounded time.
 *
 * -w is "no word character on either side". Written with lookarounds, it would take the regex out of V8's
 * linear-time engine; so, unless the pattern has a backreference (which lookarounds cannot make worse, and
 * whose group numbers a wrapper group would shift), the neighbours are consumed instead:
 * `(^|[^\w])(?:P)([^\w]|$)`, with the match taken from between the two groups. A search from a position
 * p > 0 starts one character earlier, with a regex whose first group cannot be the line's start.
 */
export class MatchFinder {
  /** The last match found: `text.slice(start, end)`. */
  start = 0;
  end = 0;
  /** Matches anywhere in a line (no positions needed). */
  readonly tester: RegExp;
  private readonly first: RegExp;
  private readonly next: RegExp | null;

  constructor(source: string, shown: string, options: FinderOptions) {
    const form = regexForms(source, shown, options);
    this.tester = compile(form.test, '', shown, options);
    this.first = compile(form.first, 'g', shown, options);
    this.next = form.next === null ? null : compile(form.next, 'g', shown, options);
  }

  /** Finds the leftmost match that starts at or after `from` (it may be empty); false when there is none. */
  find(text: string, from: number): boolean {
    if (this.next === null) {
      const re = this.first;
      re.lastIndex = from;
      const m = re.exec(text);
      if (m === null) return false;
      this.start = m.index;
      this.end = m.index + m[0].length;
      return true;
    }
    const re = from === 0 ? this.first : this.next;
    re.lastIndex = from === 0 ? 0 : from - 1;
    const m = re.exec(text);
    if (m === null) return false;
    // Group 1 is the character before the match (or the line's start); the last group the one after it.
    this.start = m.index + m[1]!.length;
    this.end = m.index + m[0].length - m[m.length - 1]!.length;
    return true;
  }
}

/** A regex that tells whether a line matches `source` (with -w or -x), for a search that needs no positions. */
export function lineTester(source: string, shown: string, options: FinderOptions): RegExp {
  return compile(regexForms(source, shown, options).test, '', shown, options);
}

function compile(source: string, flags: string, shown: string, options: FinderOptions): RegExp {
  // dotAll: a line never holds '\n', and '.' must match '\r' (a CRLF line's last byte) as grep's does.
  return compileUserPattern(source, { flags: `s${flags}`, ignoreCase: options.ignoreCase, shown });
}

/** The regex sources for a pattern: to test a line, to search from a line's start, and from inside it. */
function regexForms(
  source: string,
  shown: string,
  options: FinderOptions,
): { test: string; first: string; next: string | null } {
  // A wrapper could make an invalid pattern valid (`a)(b` inside `(?:…)`): check the pattern alone first.
  if (options.lineRegexp || options.wordRegexp) {
    try {
      new RegExp(source, 's');
    } catch (err) {
      throw new InvalidPatternError(shown, err);
    }
  }
  if (options.lineRegexp) return { test: `^(?:${source})$`, first: `^(?:${source})$`, next: null };
  if (!options.wordRegexp) return { test: source, first: source, next: null };
  if (/\\[1-9]|\\k</.test(source)) {
    const wrapped = `(?<![${WORD}])(?:${source})(?![${WORD}])`;
    return { test: wrapped, first: wrapped, next: null };
  }
  return {
    test: `(?:^|[^${WORD}])(?:${source})(?:[^${WORD}]|$)`,
    first: `(^|[^${WORD}])(?:${source})([^${WORD}]|$)`,
    next: `([^${WORD}])(?:${source})([^${WORD}]|$)`,
  };
}

/**
 * The non-empty matches of a set of patterns in `text`, as grep finds them: at each step the leftmost
 * match of any pattern, the longest of those starting there, then on from its end. Empty matches are
 * skipped, as grep -o and --color do. Offsets go to `out` as [s0, e0, s1, e1, …].
 */
export function collectRanges(finders: readonly MatchFinder[], text: string, out: number[]): void {
  if (finders.length === 1) {
    const f = finders[0]!;
    let from = 0;
    while (from <= text.length && f.find(text, from)) {
      if (f.end === f.start) {
        from = f.start + 1;
        continue;
      }
      out.push(f.start, f.end);
      from = f.end;
    }
    return;
  }
  // Each finder's next match is kept while it still lies ahead: a later search would find the same one.
  const starts = finders.map(() => -1);
  const ends = finders.map(() => -1);
  let from = 0;
  while (from <= text.length) {
    let best = -1;
    for (let k = 0; k < finders.length; k++) {
      if (starts[k]! < from && starts[k] !== Number.POSITIVE_INFINITY) {
        const f = finders[k]!;
        if (f.find(text, from)) {
          starts[k] = f.start;
          ends[k] = f.end;
        } else starts[k] = Number.POSITIVE_INFINITY;
      }
      if (starts[k] === Number.POSITIVE_INFINITY) continue;
      if (best === -1 || starts[k]! < starts[best]! || (starts[k] === starts[best] && ends[k]! > ends[best]!)) best = k;
    }
    if (best === -1) return;
    const start = starts[best]!;
    const end = ends[best]!;
    if (end === start) {
      from = start + 1;
      continue;
    }
    out.push(start, end);
    from = end;
  }
}
