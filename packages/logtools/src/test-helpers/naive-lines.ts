/** The model for tail tests: split after each newline (a final line without one counts); the last N lines. */
export function naiveLastLines(data: Buffer, n: number): Buffer {
  if (n <= 0) return Buffer.alloc(0);
  const lines: Buffer[] = [];
  let start = 0;
  for (let i = 0; i < data.length; i++) {
    if (data[i] === 10) {
      lines.push(data.subarray(start, i + 1));
      start = i + 1;
    }
  }
  if (start < data.length) lines.push(data.subarray(start));
  return Buffer.concat(lines.slice(Math.max(0, lines.length - n)));
}
