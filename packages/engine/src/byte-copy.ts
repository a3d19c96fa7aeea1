/**
 * Below this length a byte loop beats Buffer#copy with offsets, which makes a view of the source before
 * its native copy (measured on Node 20: about 45 ns against 140 ns for 16 bytes; at 100 bytes copy wins).
 */
const SHORT = 32;

/** Copies src[srcStart, srcStart + len) to dst at dstStart; returns dstStart + len. */
export function copyBytes(src: Uint8Array, srcStart: number, len: number, dst: Buffer, dstStart: number): number {
  if (len <= SHORT) {
    for (let i = 0; i < len; i++) dst[dstStart + i] = src[srcStart + i]!;
  } else if (srcStart === 0 && len === src.length) {
    dst.set(src, dstStart);
  } else {
    dst.set(src.subarray(srcStart, srcStart + len), dstStart);
  }
  return dstStart + len;
}
