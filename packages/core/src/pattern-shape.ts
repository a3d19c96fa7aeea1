/**
 * What a JavaScript regular expression (non-Unicode mode, the syntax V8 already accepted) does that matters
 * for its running time, read from its source: backreferences, lookarounds, and how many independent
 * repetitions a backtracking engine may try per start position (the degree of the polynomial) or whether a
 * repetition holds another one (exponential). Also rewrites ASCII letters into both cases, so that `-i`
 * needs no `i` flag, which V8's linear-time engine does not support.
 */
export interface PatternShape {
  /** `\1`…, `\k<name>`. */
  backreference: boolean;
  /** `(?=`, `(?!`, `(?<=`, `(?<!`. */
  lookaround: boolean;
  /** A repetition (max > 1) whose body has choices: `(a+)+`, `(a|a)*`, `(.*a){12}`, `(a?){25}`. */
  nestedRepetition: boolean;
  /**
   * Unbounded repetitions one after another, on the worst path: a backtracking match attempt may take time
   * of the line's length to this power.
   */
  degree: number;
  /** Paths through the bounded choices (`?`, `{m,n}`, alternatives) per match attempt, capped at 2^31. */
  paths: number;
  /** The source with every ASCII letter matching both cases (when asked for). */
  caseless: string;
}

interface Seq {
  degree: number;
  paths: number;
}

const PATHS_CAP = 2 ** 31;
const LEAF: Seq = { degree: 0, paths: 1 };

const DIGIT = /[0-9]/;
const HEX = /^[0-9a-fA-F]+$/;
const QUANTIFIER = /^\{(\d+)(?:(,)(\d*))?\}/;
const CLASS_ESCAPES = 'dDsSwW';
const CONTROL_ESCAPES: Record<string, number> = { f: 12, n: 10, r: 13, t: 9, v: 11 };

export function analyzePatternShape(source: string): PatternShape {
  return new ShapeReader(source).read();
}

class ShapeReader {
  private i = 0;
  private out = '';
  private backreference = false;
  private lookaround = false;
  private nested = false;

  constructor(private readonly src: string) {}

  read(): PatternShape {
    const top = this.disjunction();
    return {
      backreference: this.backreference,
      lookaround: this.lookaround,
      nestedRepetition: this.nested,
      degree: top.degree,
      paths: top.paths,
      caseless: this.out,
    };
  }

  /** Alternatives up to an unmatched `)` or the end. */
  private disjunction(): Seq {
    let degree = 0;
    let paths = 0;
    let current = { ...LEAF };
    const endBranch = () => {
      degree = Math.max(degree, current.degree);
      paths = Math.min(paths + current.paths, PATHS_CAP);
    };
    while (this.i < this.src.length && this.src[this.i] !== ')') {
      if (this.src[this.i] === '|') {
        this.emit('|');
        this.i++;
        endBranch();
        current = { ...LEAF };
        continue;
      }
      const atom = this.atom();
      const q = this.quantifier();
      let { degree: d, paths: p } = atom;
      if (q !== null && q.max > 1) {
        if (d > 0 || p > 1) this.nested = true;
        if (q.max === Infinity) d += 1;
        else p *= q.max - q.min + 1;
      } else if (q !== null && q.min === 0) {
        p += 1;
      }
      current.degree += d;
      current.paths = Math.min(current.paths * p, PATHS_CAP);
    }
    endBranch();
    return { degree, paths };
  }

  private atom(): Seq {
    const c = this.src[this.i]!;
    if (c === '(') return this.group();
    if (c === '[') {
      this.characterClass();
      return LEAF;
    }
    if (c === '\\') {
      this.escape();
      return LEAF;
    }
    this.i++;
    this.emitLiteral(c);
    return LEAF;
  }

  private group(): Seq {
    const rest = this.src.slice(this.i, this.i + 4);
    let head = '(';
    if (rest.startsWith('(?:')) head = '(?:';
    else if (rest.startsWith('(?=') || rest.startsWith('(?!')) head = rest.slice(0, 3);
    else if (rest.startsWith('(?<=') || rest.startsWith('(?<!')) head = rest;
    else if (rest.startsWith('(?<')) head = this.src.slice(this.i, this.src.indexOf('>', this.i) + 1);
    if (head.length >= 3 && (head[2] === '=' || head[2] === '!' || head[3] === '=' || head[3] === '!'))
      this.lookaround = true;
    this.emit(head);
    this.i += head.length;
    const body = this.disjunction();
    this.emit(')');
    this.i++;
    return body;
  }

  private quantifier(): { min: number; max: number } | null {
    const c = this.src[this.i];
    let min: number;
    let max: number;
    let width = 1;
    if (c === '*') [min, max] = [0, Infinity];
    else if (c === '+') [min, max] = [1, Infinity];
    else if (c === '?') [min, max] = [0, 1];
    else if (c === '{') {
      const m = QUANTIFIER.exec(this.src.slice(this.i));
      if (m === null) return null;
      min = Number(m[1]);
      max = m[2] === undefined ? min : m[3] === '' ? Infinity : Number(m[3]);
      width = m[0].length;
    } else return null;
    if (this.src[this.i + width] === '?') width++;
    this.emit(this.src.slice(this.i, this.i + width));
    this.i += width;
    return { min, max };
  }

  /** An escape outside a class. */
  private escape(): void {
    const start = this.i;
    const d = this.src[this.i + 1] ?? '';
    if (DIGIT.test(d) && d !== '0') {
      // \1…: a backreference when the pattern has that many groups, else a legacy octal escape; either way
      // the rewrite cannot tell, so it is treated as one (the caller then keeps V8's own `i`).
      this.backreference = true;
      this.i += 2;
      while (DIGIT.test(this.src[this.i] ?? '')) this.i++;
      this.emit(this.src.slice(start, this.i));
      return;
    }
    if (d === 'k' && this.src[this.i + 2] === '<') {
      this.backreference = true;
      this.i = this.src.indexOf('>', this.i) + 1;
      this.emit(this.src.slice(start, this.i));
      return;
    }
    const value = this.escapeValue(false);
    const text = this.src.slice(start, this.i);
    if (value !== null && isAsciiLetter(value)) this.emit(bothCases(value));
    // `\c` before a non-letter is a backslash, and the `c` is read next: the backslash must stay one.
    else if (text === '\\') this.emit('\\\\');
    else this.emit(text);
  }

  /**
   * Reads an escape at `i` and returns its character code, or null for a class escape (`\d`…) or an
   * assertion (`\b`, `\B` outside a class).
   */
  private escapeValue(inClass: boolean): number | null {
    const d = this.src[this.i + 1] ?? '';
    this.i += 2;
    if (CLASS_ESCAPES.includes(d)) return null;
    if (d === 'b') return inClass ? 8 : null;
    if (d === 'B') return null;
    if (d in CONTROL_ESCAPES) return CONTROL_ESCAPES[d]!;
    if (d === 'x' || d === 'u') {
      const len = d === 'x' ? 2 : 4;
      const hex = this.src.slice(this.i, this.i + len);
      if (hex.length === len && HEX.test(hex)) {
        this.i += len;
        return Number.parseInt(hex, 16);
      }
      return d.charCodeAt(0);
    }
    if (d === 'c') {
      const l = this.src[this.i] ?? '';
      if (/[A-Za-z]/.test(l) || (inClass && /[0-9_]/.test(l))) {
        this.i++;
        return l.charCodeAt(0) % 32;
      }
      this.i--; // `\c` not followed by a control letter is a backslash; the `c` is read next.
      return 92;
    }
    if (/[0-7]/.test(d)) {
      // Legacy octal (outside a class only `\0…` reaches here): up to three digits, at most 0o377.
      let v = Number(d);
      for (let n = 1; n < 3 && /[0-7]/.test(this.src[this.i] ?? '') && v * 8 + Number(this.src[this.i]) <= 255; n++)
        v = v * 8 + Number(this.src[this.i++]);
      return v;
    }
    return d.charCodeAt(0);
  }

  /** A class, rebuilt from its members when letters must match both cases. */
  private characterClass(): void {
    const start = this.i;
    this.i++;
    const negated = this.src[this.i] === '^';
    if (negated) this.i++;
    const members: string[] = [];
    const extra: Array<[number, number]> = [];
    while (this.i < this.src.length && this.src[this.i] !== ']') {
      const lo = this.classAtom();
      if (
        lo.value !== null &&
        this.src[this.i] === '-' &&
        this.src[this.i + 1] !== ']' &&
        this.i + 1 < this.src.length
      ) {
        this.i++;
        const hi = this.classAtom();
        if (hi.value !== null) {
          members.push(`${hexEscape(lo.value)}-${hexEscape(hi.value)}`);
          addOtherCases(lo.value, hi.value, extra);
          continue;
        }
        // Annex B: `[a-\d]` is `a`, `-` and `\d`.
        members.push(hexEscape(lo.value), '\\-', hi.text);
        addOtherCases(lo.value, lo.value, extra);
        continue;
      }
      members.push(lo.value === null ? lo.text : hexEscape(lo.value));
      if (lo.value !== null) addOtherCases(lo.value, lo.value, extra);
    }
    this.i++;
    const original = this.src.slice(start, this.i);
    if (extra.length === 0) {
      this.emit(original);
      return;
    }
    const added = extra.map(([a, b]) => (a === b ? hexEscape(a) : `${hexEscape(a)}-${hexEscape(b)}`));
    this.emit(`[${negated ? '^' : ''}${members.join('')}${added.join('')}]`);
  }

  private classAtom(): { value: number | null; text: string } {
    const start = this.i;
    if (this.src[this.i] === '\\') {
      const value = this.escapeValue(true);
      return { value, text: this.src.slice(start, this.i) };
    }
    this.i++;
    return { value: this.src.charCodeAt(start), text: this.src[start]! };
  }

  private emitLiteral(c: string): void {
    const code = c.charCodeAt(0);
    this.emit(isAsciiLetter(code) ? bothCases(code) : c);
  }

  private emit(caseless: string): void {
    this.out += caseless;
  }
}

function isAsciiLetter(code: number): boolean {
  return (code >= 65 && code <= 90) || (code >= 97 && code <= 122);
}

function bothCases(code: number): string {
  const c = String.fromCharCode(code);
  return `[${c.toLowerCase()}${c.toUpperCase()}]`;
}

function hexEscape(code: number): string {
  return code < 0x100 ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
}

/** The other-case letters of the range [lo, hi]: its parts in a–z and A–Z, shifted by 32. */
function addOtherCases(lo: number, hi: number, extra: Array<[number, number]>): void {
  for (const [from, to, shift] of [
    [97, 122, -32],
    [65, 90, 32],
  ] as const) {
    const a = Math.max(lo, from);
    const b = Math.min(hi, to);
    if (a <= b) extra.push([a + shift, b + shift]);
  }
}
