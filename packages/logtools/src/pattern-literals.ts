/**
 * What a JavaScript regular expression says about literal text, read from its source without running it:
 * whether it is a plain literal, and the longest run of characters that every match must contain. The
 * search uses that run with Buffer.indexOf to skip lines the regex could never match, as GNU grep does
 * with its "must" strings. The analysis is conservative: when unsure it ends the run, so a returned
 * literal is always required; it may just be shorter than the best possible one.
 */
export interface PatternLiterals {
  /** The unescaped text when the whole pattern is a plain literal (no metacharacter in effect). */
  pure: string | null;
  /** The longest literal every match contains ('' when none is known). */
  required: string;
}

const SYNTAX_ESCAPE = /^[\^$.|?*+()[\]{}\\/-]$/;
const BRACE_QUANTIFIER = /^\{(\d+)(,\d*)?\}/;

export function analyzePattern(source: string): PatternLiterals {
  const runs: string[] = [];
  let run = '';
  let pure = true;
  const endRun = () => {
    if (run) runs.push(run);
    run = '';
  };
  let i = 0;
  while (i < source.length) {
    const c = source[i]!;
    let lit: string | null = null;
    let width = 1;
    if (c === '\\') {
      const d = source[i + 1];
      if (d === undefined) return { pure: null, required: '' };
      if (SYNTAX_ESCAPE.test(d)) {
        lit = d;
        width = 2;
      } else {
        width = escapeWidth(source, i);
      }
    } else if (c === '[') {
      width = classEnd(source, i) - i;
    } else if (c === '(') {
      width = groupEnd(source, i) - i;
    } else if (c === '|') {
      // A top-level alternative: no single literal is required by every branch.
      return { pure: null, required: '' };
    } else if (c === '.' || c === '^' || c === '$' || c === '*' || c === '+' || c === '?' || c === ')') {
      width = 1;
    } else if (c === '{' && BRACE_QUANTIFIER.test(source.slice(i))) {
      width = 1;
    } else {
      lit = c;
    }
    if (lit === null) pure = false;
    i += width;
    const quantifier = readQuantifier(source, i);
    if (quantifier) {
      pure = false;
      i += quantifier.width;
      // The atom may repeat: a literal needed at least once ends the run after itself.
      if (lit !== null && quantifier.min >= 1) run += lit;
      endRun();
    } else if (lit !== null) {
      run += lit;
    } else {
      endRun();
    }
  }
  endRun();
  const required = runs.reduce((best, r) => (r.length > best.length ? r : best), '');
  return { pure: pure ? runs.join('') : null, required };
}

function readQuantifier(source: string, i: number): { min: number; width: number } | null {
  const c = source[i];
  let min: number;
  let width: number;
  if (c === '*' || c === '?') [min, width] = [0, 1];
  else if (c === '+') [min, width] = [1, 1];
  else if (c === '{') {
    const m = BRACE_QUANTIFIER.exec(source.slice(i));
    if (!m) return null;
    [min, width] = [Number(m[1]), m[0].length];
  } else return null;
  if (source[i + width] === '?') width++; // lazy
  return { min, width };
}

function escapeWidth(source: string, i: number): number {
  const d = source[i + 1]!;
  if (d === 'x') return 4;
  if (d === 'u') return source[i + 2] === '{' ? source.indexOf('}', i) - i + 1 || 2 : 6;
  if (d === 'c') return 3;
  if (d === 'k' && source[i + 2] === '<') return source.indexOf('>', i) - i + 1 || 2;
  if (/\d/.test(d)) {
    let j = i + 1;
    while (j < source.length && /\d/.test(source[j]!)) j++;
    return j - i;
  }
  return 2;
}

function classEnd(source: string, i: number): number {
  let j = i + 1;
  if (source[j] === '^') j++;
  if (source[j] === ']') j++; // JS: '[]' is an empty class, but skipping one ']' here only shortens runs.
  while (j < source.length && source[j] !== ']') j += source[j] === '\\' ? 2 : 1;
  return Math.min(j + 1, source.length);
}

function groupEnd(source: string, i: number): number {
  let depth = 0;
  let j = i;
  while (j < source.length) {
    const c = source[j];
    if (c === '\\') j += 2;
    else if (c === '[') j = classEnd(source, j);
    else {
      if (c === '(') depth++;
      else if (c === ')' && --depth === 0) return j + 1;
      j++;
    }
  }
  return source.length;
}

export function escapeRegExp(text: string): string {
  return text.replace(/[\\^$.|?*+()[\]{}/-]/g, '\\$&');
}

/**
 * Rewrites a pattern so it matches the UTF-8 bytes of the text as Latin-1 code units, which is how lines
 * are decoded for matching (one byte, one character, so match offsets are byte offsets and raw bytes can
 * be written back). A non-ASCII character outside a class becomes its byte sequence as one group, so a
 * quantifier after it still applies to the whole character; inside a class each byte becomes a member.
 */
export function toBytePattern(source: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: the test is "only ASCII", control characters included
  if (/^[\x00-\x7f]*$/.test(source)) return source;
  let out = '';
  let inClass = false;
  for (let i = 0; i < source.length; i++) {
    const c = source[i]!;
    if (c === '\\') {
      out += c + (source[i + 1] ?? '');
      i++;
      continue;
    }
    if (c === '[' && !inClass) inClass = true;
    else if (c === ']' && inClass) inClass = false;
    const cp = c.codePointAt(0)!;
    if (cp < 0x80) {
      out += c;
      continue;
    }
    const ch = String.fromCodePoint(cp);
    if (ch.length === 2) i++;
    const bytes = [...Buffer.from(ch, 'utf8')].map((b) => `\\x${b.toString(16).padStart(2, '0')}`).join('');
    out += inClass ? bytes : `(?:${bytes})`;
  }
  return out;
}

/** A literal as the Latin-1 string of its UTF-8 bytes (see toBytePattern). */
export function toByteString(text: string): string {
  return Buffer.from(text, 'utf8').toString('latin1');
}
