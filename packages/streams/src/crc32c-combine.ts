/**
 * CRC-32C of a concatenation from the CRCs of its parts (zlib's crc32_combine, for the Castagnoli polynomial):
 * a batch's CRC covers its baseOffset, which the writer fills in only under the lock, so the CRC of the rest
 * of the batch is computed once, when the batch is encoded (or checked, for a batch a caller encoded), and
 * combined with the CRC of the 12 patched header bytes in a microsecond instead of a second pass over the batch.
 */

/** The reflected Castagnoli polynomial. */
const POLY = 0x82f63b78;

/** a * b modulo the polynomial (reflected bit order: bit 31 is x^0). */
function multModP(a: number, b: number): number {
  let m = 0x80000000;
  let p = 0;
  for (;;) {
    if ((a & m) !== 0) {
      p ^= b;
      if ((a & (m - 1)) === 0) break;
    }
    m >>>= 1;
    b = b & 1 ? (b >>> 1) ^ POLY : b >>> 1;
  }
  return p >>> 0;
}

/** x^(2^k) modulo the polynomial, for k = 0..31. */
const X2N: number[] = (() => {
  const table: number[] = [];
  let p = 0x40000000; // x^1
  for (let k = 0; k < 32; k++) {
    table.push(p);
    p = multModP(p, p);
  }
  return table;
})();

/** x^(8 * bytes) modulo the polynomial. */
function shiftFor(bytes: number): number {
  let p = 0x80000000; // x^0
  let k = 3;
  for (let n = bytes; n > 0; n = Math.floor(n / 2), k++) if (n % 2 === 1) p = multModP(X2N[k % 32]!, p);
  return p;
}

// The shift of the last length asked: a producer's batches are often of one size (checked, then patched).
let lastLength = -1;
let lastShift = 0;

/** CRC-32C of `a` followed by `b`, from crcA, crcB and b's length in bytes. */
export function crc32cCombine(crcA: number, crcB: number, lengthB: number): number {
  if (lengthB !== lastLength) {
    lastShift = shiftFor(lengthB);
    lastLength = lengthB;
  }
  return (multModP(lastShift, crcA) ^ crcB) >>> 0;
}
