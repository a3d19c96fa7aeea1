/** Newline counting over byte buffers (Buffer.indexOf runs in native code; nothing is decoded). */

export function countNewlines(buf: Buffer, start = 0, end = buf.length): number {
  let n = 0;
  let i = start;
  for (;;) {
    const nl = buf.indexOf(10, i);
    if (nl === -1 || nl >= end) return n;
    n++;
    i = nl + 1;
  }
}

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
