/**
 * Where two byte strings first differ, with a little context on each side, or null when they are equal. A test
 * writes `expect(bytesDiff(got, want)).toBeNull()`: a failure shows the offset and the bytes there, which a
 * `.equals()` boolean hides, and which a full diff of a 16 MiB line (or vitest's element-wise Buffer equality,
 * which runs out of memory on one) cannot show.
 */
export function bytesDiff(
  got: Uint8Array,
  want: Uint8Array,
): { offset: number; gotLength: number; wantLength: number; got: string; want: string } | null {
  if (Buffer.compare(got, want) === 0) return null;
  const n = Math.min(got.length, want.length);
  let offset = 0;
  while (offset < n && got[offset] === want[offset]) offset++;
  const around = (b: Uint8Array) => Buffer.from(b.subarray(Math.max(0, offset - 20), offset + 40)).toString('latin1');
  return { offset, gotLength: got.length, wantLength: want.length, got: around(got), want: around(want) };
}
