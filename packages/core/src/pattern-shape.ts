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
   * Unbounded repetitions with a real choice of length (not followed by a character they cannot match) and
   * backreferences, one after another on the worst path: one backtracking match attempt may take time of the
   * line's length to this power.
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
  /** The set of an unbounded repetition of one character that ends the only branch (`(\w+)`), else null. */
  tail: CharSet | null;
}

/** An atom read: its shape, and the characters it matches when it is one character (a literal, class, `.`). */
interface Atom {
  seq: Seq;
  set: CharSet | null;
}

const PATHS_CAP = 2 ** 31;
const LEAF: Seq = { degree: 0, paths: 1, tail: null };
/** A backreference compares as many characters as its group took: up to the line's length. */
const BACKREFERENCE: Seq = { degree: 1, paths: 1, tail: null };

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
  private backreferences = 0;
  private lookaround = false;
  private nested = false;
  /** Inside a lookbehind, which V8 matches right to left: no degree is taken back there. */
  private behind = 0;

  constructor(private readonly src: string) {}

  read(): PatternShape {
    const top = this.disjunction();
    return {
      backreference: this.backreferences > 0,
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
    let branches = 1;
    let current = { ...LEAF };
    // The last item when it is an unbounded repetition of one character set (`\w+`), else null.
    let tail: CharSet | null = null;
    const endBranch = () => {
      degree = Math.max(degree, current.degree);
      paths = Math.min(paths + current.paths, PATHS_CAP);
    };
    while (this.i < this.src.length && this.src[this.i] !== ')') {
      if (this.src[this.i] === '|') {
        this.emit('|');
        this.i++;
        endBranch();
        branches++;
        current = { ...LEAF };
        tail = null;
        continue;
      }
      const atom = this.atom();
      const q = this.quantifier();
      // A character the preceding repetition cannot match, and that must come next, ends that repetition's
      // backtracking at once (`\w+\s`): its choice of length multiplies nothing, so its degree is taken back.
      if (
        this.behind === 0 &&
        tail !== null &&
        atom.set !== null &&
        (q === null || q.min >= 1) &&
        tail.disjoint(atom.set)
      )
        current.degree -= 1;
      let { degree: d, paths: p } = atom.seq;
      if (q !== null && q.max > 1) {
        if (d > 0 || p > 1) this.nested = true;
        if (q.max === Infinity) d += 1;
        else p *= q.max - q.min + 1;
      } else if (q !== null && q.min === 0) {
        p += 1;
      }
      current.degree += d;
      current.paths = Math.min(current.paths * p, PATHS_CAP);
      if (q === null) tail = atom.seq.tail;
      else tail = q.max === Infinity && q.min !== q.max && atom.set !== null ? atom.set : null;
    }
    endBranch();
    return { degree, paths, tail: branches === 1 ? tail : null };
  }

  private atom(): Atom {
    const c = this.src[this.i]!;
    if (c === '(') return { seq: this.group(), set: null };
    if (c === '[') return { seq: LEAF, set: this.characterClass() };
    if (c === '\\') {
      const backreferences = this.backreferences;
      const set = this.escape();
      return { seq: this.backreferences > backreferences ? BACKREFERENCE : LEAF, set };
    }
    this.i++;
    this.emitLiteral(c);
    if (c === '^' || c === '$') return { seq: LEAF, set: null };
    return { seq: LEAF, set: c === '.' ? new CharSet().add(0, 0xffff) : new CharSet().addBothCases(c.charCodeAt(0)) };
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
    const behind = head.startsWith('(?<=') || head.startsWith('(?<!');
    if (behind) this.behind++;
    const body = this.disjunction();
    if (behind) this.behind--;
    this.emit(')');
    this.i++;
    // A lookaround matches no characters: what follows it meets the repetition before it.
    return head.length >= 3 && '=!'.includes(head[head.length - 1]!) ? { ...body, tail: null } : body;
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

  /** An escape outside a class; returns the characters it matches, or null (a backreference, `\b`). */
  private escape(): CharSet | null {
    const start = this.i;
    const d = this.src[this.i + 1] ?? '';
    if (DIGIT.test(d) && d !== '0') {
      // \1…: a backreference when the pattern has that many groups, else a legacy octal escape; either way
      // the rewrite cannot tell, so it is treated as one (the caller then keeps V8's own `i`).
      this.backreferences++;
      this.i += 2;
      while (DIGIT.test(this.src[this.i] ?? '')) this.i++;
      this.emit(this.src.slice(start, this.i));
      return null;
    }
    if (d === 'k' && this.src[this.i + 2] === '<') {
      this.backreferences++;
      this.i = this.src.indexOf('>', this.i) + 1;
      this.emit(this.src.slice(start, this.i));
      return null;
    }
    const value = this.escapeValue(false);
    const text = this.src.slice(start, this.i);
    if (value !== null && isAsciiLetter(value)) this.emit(bothCases(value));
    // `\c` before a non-letter is a backslash, and the `c` is read next: the backslash must stay one.
    else if (text === '\\') this.emit('\\\\');
    else this.emit(text);
    if (value !== null) return new CharSet().addBothCases(value);
    return CLASS_ESCAPES.includes(d) ? escapeSet(d) : null;
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
    if (d === 'B') return inClass ? 66 : null;
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

  /** A class, rebuilt from its members when letters must match both cases; returns its characters. */
  private characterClass(): CharSet {
    const start = this.i;
    this.i++;
    const negated = this.src[this.i] === '^';
    if (negated) this.i++;
    const members: string[] = [];
    const extra: Array<[number, number]> = [];
    const set = new CharSet();
    const addAtom = (atom: { value: number | null; text: string }) => {
      if (atom.value !== null) set.addBothCases(atom.value);
      else set.union(escapeSet(atom.text[1]!));
    };
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
          set.addBothCases(lo.value, hi.value);
          continue;
        }
        // Annex B: `[a-\d]` is `a`, `-` and `\d`.
        members.push(hexEscape(lo.value), '\\-', hi.text);
        addOtherCases(lo.value, lo.value, extra);
        set.addBothCases(lo.value).addBothCases(45);
        addAtom(hi);
        continue;
      }
      members.push(lo.value === null ? lo.text : hexEscape(lo.value));
      if (lo.value !== null) addOtherCases(lo.value, lo.value, extra);
      addAtom(lo);
    }
    this.i++;
    const original = this.src.slice(start, this.i);
    if (extra.length === 0) this.emit(original);
    else {
      const added = extra.map(([a, b]) => (a === b ? hexEscape(a) : `${hexEscape(a)}-${hexEscape(b)}`));
      this.emit(`[${negated ? '^' : ''}${members.join('')}${added.join('')}]`);
    }
    return negated ? set.complement() : set;
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

/**
 * The characters an atom may match, for telling whether two repetitions can trade characters: a bitmap of
 * 0–255 and whether any character above 255 may be in. Letters are always in both cases (conservative).
 */
class CharSet {
  private readonly low = new Uint32Array(8);
  private high = false;

  add(lo: number, hi = lo): this {
    for (let c = lo; c <= Math.min(hi, 255); c++) this.low[c >> 5]! |= 1 << (c & 31);
    if (hi > 255) this.high = true;
    return this;
  }

  addBothCases(lo: number, hi = lo): this {
    this.add(lo, hi);
    const other: Array<[number, number]> = [];
    addOtherCases(lo, hi, other);
    for (const [a, b] of other) this.add(a, b);
    return this;
  }

  union(other: CharSet): this {
    for (let k = 0; k < 8; k++) this.low[k]! |= other.low[k]!;
    this.high ||= other.high;
    return this;
  }

  complement(): this {
    for (let k = 0; k < 8; k++) this.low[k] = ~this.low[k]!;
    this.high = true;
    return this;
  }

  disjoint(other: CharSet): boolean {
    if (this.high && other.high) return false;
    for (let k = 0; k < 8; k++) if ((this.low[k]! & other.low[k]!) !== 0) return false;
    return true;
  }
}

/** `\d`, `\s`, `\w` and their complements (`\s` also holds U+00A0 and spaces above 255). */
function escapeSet(letter: string): CharSet {
  const lower = letter.toLowerCase();
  const set = new CharSet();
  if (lower === 'd') set.add(48, 57);
  else if (lower === 'w') set.add(48, 57).add(65, 90).add(97, 122).add(95);
  else set.add(9, 13).add(32).add(160).add(0x1680, 0xffff);
  return letter === lower ? set : set.complement();
}
