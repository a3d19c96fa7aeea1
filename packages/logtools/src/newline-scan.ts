/** Newline skipping, forwards and backwards, over byte buffers (Buffer.indexOf runs in native code; nothing is decoded). */

/**
 * Passes up to `count` newlines in `buf` from `start`. Returns the offset just after the last one passed
 * and how many are still to pass (0 when all were found in this buffer).
 */
export function skipNewlines(buf: Buffer, start: number, count: number): { offset: number; left: number } {
  let offset = start;
  let left = count;
  while (left > 0) {
    const nl = buf.indexOf(10, offset);
    if (nl === -1) break;
    offset = nl + 1;
    left--;
  }
  return { offset, left };
}

/**
 * Scans `buf[0, end)` backwards for `count` newlines. Returns the offset just after the `count`-th newline
 * from the end, or offset -1 and how many are still to find in the data before `buf`.
 */
export function skipNewlinesBackward(buf: Buffer, end: number, count: number): { offset: number; left: number } {
  let limit = end;
  let left = count;
  while (limit > 0 && left > 0) {
    const nl = buf.lastIndexOf(10, limit - 1);
    if (nl === -1) break;
    if (--left === 0) return { offset: nl + 1, left: 0 };
    limit = nl;
  }
  return { offset: -1, left };
}
