import { ChunkText, latin1 } from './chunk-text.js';
import { ChunkRegexPrefilter, EveryLinePrefilter, IndexOfPrefilter, type Prefilter } from './literal-prefilter.js';
import { collectRanges, lineTester, MatchFinder } from './match-finder.js';
import { analyzePattern, escapeRegExp, toBytePattern, toByteString } from './pattern-literals.js';

export interface MatcherOptions {
  /** -F: the patterns are fixed strings, not regular expressions. */
  fixedStrings?: boolean;
  /** -i: ASCII case-insensitive (as GNU grep in the C locale). */
  ignoreCase?: boolean;
  /** -w: a match must be a whole word (not preceded or followed by a letter, digit or underscore). */
  wordRegexp?: boolean;
  /** -x: a match must be the whole line. */
  lineRegexp?: boolean;
}

/** Bytes decoded at a time by countLines. */
const COUNT_WINDOW = 16 * 1024;

/** Filled by LineMatcher.countLines. */
export interface LineCounts {
  lines: number;
  matching: number;
}

/**
 * Decides whether a line matches and where. Lines are matched as bytes: each line is decoded as Latin-1
 * (one byte, one character) and the patterns are rewritten to match UTF-8 bytes, which is GNU grep's
 * behaviour under LC_ALL=C, keeps offsets equal to byte offsets and lets printers write raw bytes back.
 */
export class LineMatcher {
  readonly prefilter: Prefilter;
  private readonly test: RegExp;
  /** One per pattern: -o, colours and --json ranges need each pattern's own matches (see collectRanges). */
  private readonly finders: MatchFinder[];
  /** Set when the whole search is one case-sensitive literal: matching never leaves Buffer.indexOf. */
  private readonly literal: Buffer | null;
  /** The same under -w: occurrences are checked for word boundaries in place, no regex, no decoding. */
  private readonly wordLiteral: Buffer | null;
  private readonly text = new ChunkText();
  /** The plain or -w literal as Latin-1 text (countLines), or null. */
  private readonly literalText: string | null;
  /** The test regex's assertions (impliesMatch), found on first use. */
  private edges: RegexEdges | null = null;

  constructor(patterns: readonly string[], options: MatcherOptions = {}) {
    // A newline inside a pattern separates patterns, as in grep.
    const list = patterns.flatMap((p) => p.split('\n'));
    const sources = list.map((p) => (options.fixedStrings ? escapeRegExp(toByteString(p)) : toBytePattern(p)));
    // Each pattern is compiled on its own first, so that an invalid or refused one is named in the error.
    this.finders = sources.map((source, k) => new MatchFinder(source, list[k]!, options));
    if (list.length === 1) this.test = this.finders[0]!.tester;
    else {
      // Whether a line matches at all: one alternation, one regex run per line.
      const joined = sources.map((s) => `(?:${s})`).join('|');
      this.test = lineTester(joined, patterns.join('\n'), options);
    }

    const literals = list.map((p) => (options.fixedStrings ? { pure: p, required: p } : analyzePattern(p)));
    const plain = !options.wordRegexp && !options.lineRegexp;
    this.literal = null;
    this.wordLiteral = null;
    this.literalText = null;
    if (list.length === 1) {
      const { pure, required } = literals[0]!;
      const needle = toByteString(required);
      const caseless = options.ignoreCase && /[A-Za-z]/.test(needle);
      if (needle === '') this.prefilter = new EveryLinePrefilter();
      else if (!caseless) {
        const exact = plain && pure !== null;
        if (exact) this.literal = Buffer.from(needle, 'latin1');
        else if (pure !== null && options.wordRegexp && !options.lineRegexp)
          this.wordLiteral = Buffer.from(needle, 'latin1');
        // Only a filter: search without edge spaces. Horspool-style search skips by the needle's last byte,
        // and a space, the commonest byte in logs, allows only short skips ('of size' scans ~1.7× faster
        // than ' of size ').
        if (this.literal !== null || this.wordLiteral !== null) this.literalText = needle;
        const search = exact || this.wordLiteral !== null ? needle : needle.replace(/^ +| +$/g, '') || needle;
        this.prefilter = new IndexOfPrefilter(Buffer.from(search, 'latin1'), exact);
      } else {
        this.prefilter = new ChunkRegexPrefilter(
          new RegExp(escapeRegExp(needle), 'gi'),
          plain && pure !== null,
          this.text,
        );
      }
    } else if (literals.every((l) => l.pure !== null && l.pure !== '')) {
      const alternatives = literals.map((l) => escapeRegExp(toByteString(l.pure!))).join('|');
      this.prefilter = new ChunkRegexPrefilter(
        new RegExp(alternatives, options.ignoreCase ? 'gi' : 'g'),
        plain,
        this.text,
      );
    } else {
      this.prefilter = new EveryLinePrefilter();
    }
  }

  /**
   * True when isMatch gives the right answer from a prefilter hit onwards (`isMatch(buf, hit, end)`), so the
   * searcher need not look back for the line's start: literals, plain or -w.
   */
  get verifiesFromHit(): boolean {
    return this.literal !== null || this.wordLiteral !== null;
  }

  /** Does line `buf[start, end)` (without its newline) match? */
  isMatch(buf: Buffer, start: number, end: number): boolean {
    if (this.literal !== null) return this.literal.length === 0 || indexWithin(buf, this.literal, start, end) !== -1;
    if (this.wordLiteral !== null) return this.nextWord(buf, start, end) !== -1;
    return this.test.test(this.text.slice(buf, start, end));
  }

  /**
   * For `-c -v` with one literal (plain or -w): counts the lines of a chunk of whole lines (the last may lack
   * its newline) and those that match, or returns false when the search is not a literal. The chunk is
   * decoded in windows of whole lines and searched with String indexOf, which V8 runs without a call into
   * C++: one search per line for its newline, one more per matching line for the next occurrence (~2× faster
   * than Buffer.indexOf, whose per-call cost dominates when nearly every line matches). Windows of ~16 KiB
   * are young-generation strings; decoding a whole 128 KiB chunk at once cost ~40% more, mostly in the GC.
   */
  countLines(chunk: Buffer, counts: LineCounts): boolean {
    const needle = this.literalText;
    if (needle === null) return false;
    counts.lines = 0;
    counts.matching = 0;
    const n = chunk.length;
    for (let from = 0; from < n; ) {
      let to = from + COUNT_WINDOW;
      if (to >= n) to = n;
      else {
        const nl = chunk.lastIndexOf(10, to - 1);
        to = nl >= from ? nl + 1 : chunk.indexOf(10, to) + 1 || n;
      }
      this.countWindow(latin1(chunk, from, to), needle, counts);
      from = to;
    }
    return true;
  }

  private countWindow(text: string, needle: string, counts: LineCounts): void {
    const word = this.wordLiteral !== null;
    const len = needle.length;
    const n = text.length;
    let lines = 0;
    let matching = 0;
    let hit = text.indexOf(needle, 0);
    for (let lineStart = 0; lineStart < n; ) {
      let nl = text.indexOf('\n', lineStart);
      if (nl === -1) nl = n;
      lines++;
      if (hit !== -1) {
        // A literal holds no newline, so an occurrence before `nl` lies inside this line.
        while (word && hit !== -1 && hit < nl && !wordBounded(text, hit, len)) hit = text.indexOf(needle, hit + 1);
        if (hit !== -1 && hit < nl) {
          matching++;
          hit = text.indexOf(needle, nl + 1);
        }
      }
      lineStart = nl + 1;
    }
    counts.lines += lines;
    counts.matching += matching;
  }

  /** The first occurrence of the -w literal at or after `from` with no word character on either side. */
  private nextWord(buf: Buffer, from: number, end: number): number {
    const word = this.wordLiteral!;
    for (let at = indexWithin(buf, word, from, end); at !== -1; at = indexWithin(buf, word, at + 1, end)) {
      // The byte before a line is a newline (or there is none), so no line start is needed here.
      if ((at === 0 || !isWordByte(buf[at - 1]!)) && (at + word.length === end || !isWordByte(buf[at + word.length]!)))
        return at;
    }
    return -1;
  }

  /** Does `line` (Latin-1 text, without its newline) match? */
  matchesLine(line: string): boolean {
    const needle = this.literalText;
    if (this.literal !== null) return line.includes(needle!);
    if (this.wordLiteral !== null) return this.wordWithin(line, needle!, true, true);
    return this.test.test(line);
  }

  /**
   * True when every line holding `text` matches, whatever the rest of the line: `text` is the line's start
   * when `atLineStart`, its end when `atLineEnd` (both: `text` is the line). For an archive's template, whose
   * constant text decides many lines at once. False when unsure: a regex whose match may depend on what lies
   * beside `text` (a word boundary, a lookaround, an anchor not at the line's edge) proves nothing.
   */
  impliesMatch(text: string, atLineStart: boolean, atLineEnd: boolean): boolean {
    const needle = this.literalText;
    if (this.literal !== null) return text.includes(needle!);
    if (this.wordLiteral !== null) return this.wordWithin(text, needle!, atLineStart, atLineEnd);
    if (atLineStart && atLineEnd) return this.test.test(text);
    const edges = this.edges ?? (this.edges = regexEdges(this.test.source));
    if (edges.context || (edges.start && !atLineStart) || (edges.end && !atLineEnd)) return false;
    return this.test.test(text);
  }

  /** An occurrence of the -w literal in `text` whose word boundaries `text` shows (or the line's edges). */
  private wordWithin(text: string, needle: string, atLineStart: boolean, atLineEnd: boolean): boolean {
    const len = needle.length;
    for (let at = text.indexOf(needle); at !== -1; at = text.indexOf(needle, at + 1)) {
      const before = at > 0 ? !isWordByte(text.charCodeAt(at - 1)) : atLineStart;
      const after = at + len < text.length ? !isWordByte(text.charCodeAt(at + len)) : atLineEnd;
      if (before && after) return true;
    }
    return false;
  }

  /**
   * The non-empty matches in line `buf[start, end)`, leftmost first and not overlapping, as offsets
   * relative to `start`: [s0, e0, s1, e1, …]. Empty matches are skipped, as grep -o and --color do.
   */
  ranges(buf: Buffer, start: number, end: number): number[] {
    const out: number[] = [];
    if (this.literal !== null) {
      const len = this.literal.length;
      if (len === 0) return out;
      for (
        let at = indexWithin(buf, this.literal, start, end);
        at !== -1;
        at = indexWithin(buf, this.literal, at + len, end)
      ) {
        out.push(at - start, at - start + len);
      }
      return out;
    }
    if (this.wordLiteral !== null) {
      const len = this.wordLiteral.length;
      for (let at = this.nextWord(buf, start, end); at !== -1; at = this.nextWord(buf, at + len, end))
        out.push(at - start, at - start + len);
      return out;
    }
    collectRanges(this.finders, this.text.slice(buf, start, end), out);
    return out;
  }
}

/**
 * indexOf for an occurrence inside `[from, end)`. The scan may run past `end` to the next occurrence, which
 * is the prefilter's next stop anyway; a bounded subarray would cost an object per call on the hot path.
 */
function indexWithin(buf: Buffer, needle: Buffer, from: number, end: number): number {
  if (end - from < needle.length) return -1;
  const at = buf.indexOf(needle, from);
  return at !== -1 && at + needle.length <= end ? at : -1;
}

interface RegexEdges {
  /** `^` outside a class: a match may need the text's start to be the line's. */
  start: boolean;
  /** `$` outside a class. */
  end: boolean;
  /** `\b`, `\B` or a lookaround: a match may depend on the characters beside it. */
  context: boolean;
}

/** The assertions in a regex source, found by a scan that skips escapes and classes (it errs towards yes). */
function regexEdges(source: string): RegexEdges {
  const edges = { start: false, end: false, context: false };
  let inClass = false;
  for (let i = 0; i < source.length; i++) {
    const c = source[i];
    if (c === '\\') {
      const d = source[i + 1];
      if (!inClass && (d === 'b' || d === 'B')) edges.context = true;
      i++;
    } else if (inClass) inClass = c !== ']';
    else if (c === '[') inClass = true;
    else if (c === '^') edges.start = true;
    else if (c === '$') edges.end = true;
    else if (c === '(' && source[i + 1] === '?' && /[=!<]/.test(source[i + 2] ?? '')) {
      // (?<name> is a named group, not a lookbehind; treating it as one only loses the shortcut.
      edges.context = true;
    }
  }
  return edges;
}

/** A letter, digit or underscore: what -w must not find next to a match (ASCII, as grep in the C locale). */
function isWordByte(b: number): boolean {
  return (b >= 48 && b <= 57) || (b >= 65 && b <= 90) || (b >= 97 && b <= 122) || b === 95;
}

/** No word character just before or after `text[at, at + len)`. */
function wordBounded(text: string, at: number, len: number): boolean {
  return (
    (at === 0 || !isWordByte(text.charCodeAt(at - 1))) &&
    (at + len === text.length || !isWordByte(text.charCodeAt(at + len)))
  );
}
