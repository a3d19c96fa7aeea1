import { kvStringToBytes } from './binary-value.js';

/**
 * Redis's glob syntax for KEYS: `*` any run, `?` one byte, `[abc]` a set, `[^abc]` its complement,
 * `[a-z]` a range (either order, as Redis allows), `\x` the character x. An unterminated `[` takes the rest of
 * the pattern as its set, as Redis's stringmatchlen does.
 *
 * Compiled once into tokens and matched with the classic wildcard algorithm (on a mismatch, resume from the
 * last `*` one character later), which is O(pattern × key) at worst: a regex translation backtracks
 * exponentially on patterns like `*a*a*a*a*b`.
 *
 * Like Redis's stringmatchlen it works on bytes (a key's UTF-8, or its raw bytes: binary-value.ts), so `?` does not
 * match `é` (two bytes) and the store answers as a Redis server does.
 */
type Token =
  | { kind: 'star' }
  | { kind: 'one' }
  | { kind: 'char'; byte: number }
  | { kind: 'set'; negate: boolean; singles: Set<number>; ranges: [number, number][] };

export function compileRedisGlob(pattern: string): (key: string) => boolean {
  const tokens = tokenize(pattern);
  return (key) => matchTokens(tokens, kvStringToBytes(key));
}

export function matchesRedisGlob(pattern: string, key: string): boolean {
  return compileRedisGlob(pattern)(key);
}

function tokenize(pattern: string): Token[] {
  const chars = kvStringToBytes(pattern);
  const tokens: Token[] = [];
  const STAR = 42,
    QUESTION = 63,
    OPEN = 91,
    CLOSE = 93,
    BACKSLASH = 92,
    CARET = 94,
    DASH = 45;
  for (let i = 0; i < chars.length; i++) {
    const c = chars[i]!;
    if (c === STAR) {
      if (tokens[tokens.length - 1]?.kind !== 'star') tokens.push({ kind: 'star' });
    } else if (c === QUESTION) {
      tokens.push({ kind: 'one' });
    } else if (c === OPEN) {
      i++;
      const set: Token & { kind: 'set' } = { kind: 'set', negate: false, singles: new Set(), ranges: [] };
      if (chars[i] === CARET) {
        set.negate = true;
        i++;
      }
      while (i < chars.length && chars[i] !== CLOSE) {
        if (chars[i] === BACKSLASH && i + 1 < chars.length) {
          i++;
          set.singles.add(chars[i]!);
        } else if (chars[i + 1] === DASH && i + 2 < chars.length && chars[i + 2] !== CLOSE) {
          const lo = chars[i]!;
          const hi = chars[i + 2]!;
          set.ranges.push(lo <= hi ? [lo, hi] : [hi, lo]);
          i += 2;
        } else {
          set.singles.add(chars[i]!);
        }
        i++;
      }
      tokens.push(set);
    } else if (c === BACKSLASH && i + 1 < chars.length) {
      i++;
      tokens.push({ kind: 'char', byte: chars[i]! });
    } else {
      tokens.push({ kind: 'char', byte: c });
    }
  }
  return tokens;
}

function matchesOne(t: Token, b: number): boolean {
  switch (t.kind) {
    case 'one':
      return true;
    case 'char':
      return t.byte === b;
    case 'set': {
      const hit = t.singles.has(b) || t.ranges.some(([lo, hi]) => b >= lo && b <= hi);
      return hit !== t.negate;
    }
    default:
      return false;
  }
}

function matchTokens(tokens: Token[], key: Uint8Array): boolean {
  let p = 0;
  let k = 0;
  let starP = -1;
  let starK = 0;
  while (k < key.length) {
    const t = tokens[p];
    if (t !== undefined && t.kind === 'star') {
      starP = p++;
      starK = k;
    } else if (t !== undefined && matchesOne(t, key[k]!)) {
      p++;
      k++;
    } else if (starP !== -1) {
      p = starP + 1;
      k = ++starK;
    } else {
      return false;
    }
  }
  while (tokens[p]?.kind === 'star') p++;
  return p === tokens.length;
}
