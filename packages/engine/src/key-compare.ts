/** Keys and values as callers give them: strings are UTF-8. */
export type Bytes = string | Uint8Array;

/**
 * A Buffer view of `b` without copying. Used for read-side arguments (a get key, range bounds) that the
 * engine never keeps.
 */
export function asBuffer(b: Bytes): Buffer {
  if (typeof b === 'string') return Buffer.from(b, 'utf8');
  if (Buffer.isBuffer(b)) return b;
  if (b instanceof Uint8Array) return Buffer.from(b.buffer, b.byteOffset, b.byteLength);
  throw new TypeError('a key or value must be a string or a Uint8Array');
}

/** Bytewise order, as LevelDB's default comparator: memcmp, then the shorter key first. */
export const compareKeys: (a: Uint8Array, b: Uint8Array) => -1 | 0 | 1 = Buffer.compare;
