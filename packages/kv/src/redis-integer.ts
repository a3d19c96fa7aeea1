import { KvValueError } from './kv-errors.js';

export const INT64_MIN = -(2n ** 63n);
export const INT64_MAX = 2n ** 63n - 1n;

/** Redis's integer rule (string2ll): an optional minus and digits, no leading zeros, plus or "-0", within 64 bits. */
export function parseInt64(text: string): bigint {
  if (!/^(0|-?[1-9]\d{0,18})$/.test(text)) throw new KvValueError('value is not an integer or out of range');
  const n = BigInt(text);
  if (n < INT64_MIN || n > INT64_MAX) throw new KvValueError('value is not an integer or out of range');
  return n;
}
