import { UsageError } from '@esc/core';

/** A count as `head`/`tail` take it for `-n` and `-c`: N from the end, or `+N` counted from the start. */
export interface TailCount {
  value: number;
  /** `+N`: from line/byte N on (1-based; `+0` behaves like `+1`, as in GNU tail). */
  fromStart: boolean;
}

// GNU's xstrtoumax suffixes as head/tail accept them: b = 512, K/k = KiB, and K..Y with an optional `B`
// (powers of 1000) or `iB` (powers of 1024).
const POWERS = 'KMGTPEZYRQ';

/**
 * Parses `10`, `+10`, `2K`, `1MiB`, `5kB`, `3b`. Values too large for a double's exact integers are clamped
 * to Number.MAX_SAFE_INTEGER, which means "everything" for any real file, as GNU treats overflow.
 */
export function parseCount(text: string, flag: string): TailCount {
  const m = /^\s*([+-]?)(\d+)(b|[kK](?:i?B)?|[KMGTPEZYRQ](?:i?B)?)?$/.exec(text);
  if (!m) throw new UsageError(`invalid number for ${flag}: '${text}'`);
  const [, sign, digits, suffix] = m;
  let multiplier = 1;
  if (suffix === 'b') multiplier = 512;
  else if (suffix !== undefined) {
    const power = POWERS.indexOf(suffix[0]!.toUpperCase()) + 1;
    const base = suffix.length === 2 && suffix[1] === 'B' ? 1000 : 1024;
    multiplier = base ** power;
  }
  const value = Math.min(Number(digits) * multiplier, Number.MAX_SAFE_INTEGER);
  return { value, fromStart: sign === '+' };
}
