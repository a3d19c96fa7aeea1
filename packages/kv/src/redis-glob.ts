/**
 * Redis's glob syntax for KEYS, compiled once to an anchored RegExp (linear matching, no backtracking blow-up
 * on `a*a*a*b`): `*` any run, `?` one character, `[abc]` a set, `[^abc]` its complement, `[a-z]` a range
 * (either order, as Redis allows), `\x` the character x. An unterminated `[` takes the rest of the pattern as
 * its set, as Redis's stringmatchlen does.
 */
export function compileRedisGlob(pattern: string): RegExp {
  const chars = Array.from(pattern);
  let out = '^';
  for (let i = 0; i < chars.length; i++) {
    const c = chars[i]!;
    if (c === '*') {
      while (chars[i + 1] === '*') i++;
      out += '[^]*';
    } else if (c === '?') {
      out += '[^]';
    } else if (c === '[') {
      i++;
      let negate = false;
      if (chars[i] === '^') {
        negate = true;
        i++;
      }
      const items: string[] = [];
      while (i < chars.length && chars[i] !== ']') {
        if (chars[i] === '\\' && i + 1 < chars.length) {
          i++;
          items.push(lit(chars[i]!));
        } else if (chars[i + 1] === '-' && i + 2 < chars.length && chars[i + 2] !== ']') {
          let lo = chars[i]!.codePointAt(0)!;
          let hi = chars[i + 2]!.codePointAt(0)!;
          if (lo > hi) [lo, hi] = [hi, lo];
          items.push(`${cp(lo)}-${cp(hi)}`);
          i += 2;
        } else {
          items.push(lit(chars[i]!));
        }
        i++;
      }
      out += items.length === 0 ? (negate ? '[^]' : '[]') : `[${negate ? '^' : ''}${items.join('')}]`;
    } else if (c === '\\' && i + 1 < chars.length) {
      i++;
      out += lit(chars[i]!);
    } else {
      out += lit(c);
    }
  }
  return new RegExp(`${out}$`, 'u');
}

export function matchesRedisGlob(pattern: string, key: string): boolean {
  return compileRedisGlob(pattern).test(key);
}

const lit = (ch: string) => cp(ch.codePointAt(0)!);
const cp = (code: number) => `\\u{${code.toString(16)}}`;
