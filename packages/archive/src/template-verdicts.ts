import { REPEAT_MARK, VARIABLE_MARK } from './line-tokenizer.js';

/** What a search tells about lines: `LineMatcher` of @esc/logtools is one. */
export interface LineJudge {
  /** Does `line` (Latin-1 text, without its line end) match? */
  matchesLine(line: string): boolean;
  /** Does every line holding `text` match (`text` at the line's start / end when so flagged)? False if unsure. */
  impliesMatch(text: string, atLineStart: boolean, atLineEnd: boolean): boolean;
}

/** What a template's text says about its lines. */
export const Verdict = {
  /** No line of the template matches. */
  Never: 0,
  /** Every line of the template matches. */
  Always: 1,
  /** It depends on the values of the variables: the lines must be rebuilt and tested. */
  Maybe: 2,
  /** The template's text holds no deciding word: Never unless the block's values hold one. */
  NoWord: 3,
} as const;
type VerdictCode = (typeof Verdict)[keyof typeof Verdict];

/** Characters that end a token (line-tokenizer.ts), and those a number column can produce. */
const NOT_IN_WORDS = /[ \t\r\n,;:=()[\]{}"'<>|/0-9-]+/;
const VARIABLE = new RegExp(`${VARIABLE_MARK}|${REPEAT_MARK}[\\s\\S]`);

/**
 * The word of a literal that decides whether a line can hold it: its longest run of characters that are
 * neither delimiters, digits nor minus signs. Such a run lies inside one token of a line, so inside a
 * template's constant text or inside one value's text (a shape, a constant, a dictionary entry, a string):
 * number columns hold only digits and signs. '' when the literal has no such run.
 */
export function decidingWord(literal: string, ignoreCase: boolean): string {
  const latin1 = Buffer.from(literal, 'utf8').toString('latin1');
  let best = '';
  for (const run of latin1.split(NOT_IN_WORDS)) if (run.length > best.length) best = run;
  return ignoreCase ? best.toLowerCase() : best;
}

/**
 * Judges templates for one search, remembering each template's verdict: the blocks of a log share most of
 * their templates. `words` holds, per pattern, the deciding word of its required literal; when some pattern
 * has none, no template is ruled out by words.
 */
export class TemplateVerdicts {
  private readonly cache = new Map<string, VerdictCode>();
  private readonly words: string[] | null;

  constructor(
    private readonly judge: LineJudge,
    words: readonly string[],
    private readonly ignoreCase: boolean,
  ) {
    this.words = words.length > 0 && words.every((w) => w.length > 0) ? [...words] : null;
  }

  /** Does `text` (already case-folded under -i) hold one of the deciding words? True without words. */
  holdsWord(text: string): boolean {
    return this.words === null || this.words.some((w) => text.includes(w));
  }

  /**
   * The verdict for `template` (a block's template text) on lines that end with LF, or with LF and CR LF when
   * `crlf` (a CR before the LF is part of the line grep sees). NoWord is left for the caller to settle.
   */
  of(template: string, crlf: boolean): VerdictCode {
    const key = crlf ? `\r${template}` : template;
    let verdict = this.cache.get(key);
    if (verdict === undefined) {
      verdict = this.judgeTemplate(template, crlf ? ['', '\r'] : ['']);
      this.cache.set(key, verdict);
    }
    return verdict;
  }

  private judgeTemplate(template: string, endings: readonly string[]): VerdictCode {
    const pieces = template.split(VARIABLE);
    if (pieces.length === 1) {
      // No variable: the template is the line.
      const results = endings.map((e) => this.judge.matchesLine(template + e));
      return results.every(Boolean) ? Verdict.Always : results.some(Boolean) ? Verdict.Maybe : Verdict.Never;
    }
    const last = pieces.length - 1;
    const always = endings.every((e) =>
      pieces.some((piece, k) => this.judge.impliesMatch(k === last ? piece + e : piece, k === 0, k === last)),
    );
    if (always) return Verdict.Always;
    return this.holdsWord(this.ignoreCase ? template.toLowerCase() : template) ? Verdict.Maybe : Verdict.NoWord;
  }
}
