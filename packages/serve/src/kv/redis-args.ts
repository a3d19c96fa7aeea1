import { error, type Reply } from '../reply.js';

/** Redis's error replies of the string and keyspace commands, word for word (Redis 7.0). */
export const ERR = {
  syntax: error('ERR syntax error'),
  notInteger: error('ERR value is not an integer or out of range'),
  overflow: error('ERR increment or decrement would overflow'),
  decrOverflow: error('ERR decrement would overflow'),
  wrongType: error('WRONGTYPE Operation against a key holding the wrong kind of value'),
  noSuchKey: error('ERR no such key'),
  invalidCursor: error('ERR invalid cursor'),
  expireNx: error('ERR NX and XX, GT or LT options at the same time are not compatible'),
  expireGtLt: error('ERR GT and LT options at the same time are not compatible'),
  streamExpiry: error('ERR esc serve keeps no expiry on stream keys'),
  streamRename: error('ERR esc serve cannot rename stream keys'),
} as const;

export const wrongArity = (command: string): Reply => error(`ERR wrong number of arguments for '${command}' command`);
export const invalidExpire = (command: string): Reply => error(`ERR invalid expire time in '${command}' command`);

export const INT64_MAX = 2n ** 63n - 1n;
export const INT64_MIN = -(2n ** 63n);

/**
 * Redis's string2ll: an optional minus and decimal digits, no plus, spaces or leading zeros ("-0" refused),
 * within 64 bits. A number when it is exact as one (the common case), else a bigint; null when not an integer.
 */
export function parseInt64(text: string | Buffer): number | bigint | null {
  const s = typeof text === 'string' ? text : text.toString('latin1');
  const len = s.length;
  if (len === 0 || len > 20) return null;
  const i = s.charCodeAt(0) === 45 ? 1 : 0;
  if (i === len) return null;
  const first = s.charCodeAt(i);
  if (first === 48) return len === 1 ? 0 : null;
  if (first < 49 || first > 57) return null;
  for (let j = i + 1; j < len; j++) {
    const c = s.charCodeAt(j);
    if (c < 48 || c > 57) return null;
  }
  if (len - i <= 15) return Number(s);
  const n = BigInt(s);
  if (n > INT64_MAX || n < INT64_MIN) return null;
  return Number.isSafeInteger(Number(n)) ? Number(n) : n;
}

/** a + b within 64 bits, or null on overflow (Redis: "increment or decrement would overflow"). */
export function addInt64(a: number | bigint, b: number | bigint): number | bigint | null {
  if (typeof a === 'number' && typeof b === 'number') {
    const r = a + b;
    if (Number.isSafeInteger(r)) return r;
  }
  const r = BigInt(a) + BigInt(b);
  if (r > INT64_MAX || r < INT64_MIN) return null;
  return Number.isSafeInteger(Number(r)) ? Number(r) : r;
}

/** An option name as Redis compares them (case-insensitive ASCII). */
export const option = (arg: Buffer | undefined): string =>
  arg === undefined ? '' : arg.toString('latin1').toLowerCase();
