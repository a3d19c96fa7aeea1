import { type ByteWriter, TruncatedDataError } from './byte-buffer.js';

/**
 * Frame-of-reference integers in truncated binary: each value minus the column's least, in a range of R
 * values, takes k = ⌊log₂ R⌋ bits when it is below u = 2^(k+1) − R and k + 1 bits otherwise (at most 0.086
 * bits a value over log₂ R). Bits are written high first, and a column's bits end on a byte boundary.
 *
 * Why: columns of random identifiers, sizes, ports and process ids (an HDFS block id holds ~64 random bits)
 * are at their entropy as plain numbers; brotli's byte planes stored them 4–13% over it (LZ commands and
 * Huffman codes spent on bytes that never repeat), packing stores them within a tenth of a bit a value.
 */

// Below this many values, byte planes and brotli cost about the same and spare the per-column overhead.
const MIN_PACKED = 64;
// Packing must be within this factor of the planes' order-0 entropy: brotli spent 3.5–13% over it on random
// planes (HDFS block ids, pids, addresses), so 2% keeps the columns brotli does better on (few distinct values,
// skewed bytes) with brotli.
const PLANE_SLACK = 1.02;

/** log₂ of the values' range, as packing stores it (bits a value, without the rounding). */
function packedBits(range: number): number {
  return range <= 1 ? 0 : Math.log2(range);
}

/**
 * Whether packing `values` (the integers as packing would store them, in `range` values) beats the byte
 * planes of `zigzags` (`width` bytes) under brotli, as estimated by the planes' order-0 entropy (with the
 * Miller–Madow correction: a small sample's entropy looks smaller than its source's); and whether the values
 * hold no more repeats of their predecessor than chance, which brotli's matches would find.
 */
export function shouldPack(
  values: ArrayLike<number>,
  range: number,
  zigzags: ArrayLike<number>,
  width: number,
): boolean {
  const n = values.length;
  if (n < MIN_PACKED || range > 2 ** 52) return false;
  let repeats = 0;
  for (let i = 1; i < n; i++) if (values[i] === values[i - 1]) repeats++;
  if (repeats > n / range + n / 64) return false;
  const counts = new Uint32Array(256);
  let planeBits = 0;
  let scale = 1;
  for (let plane = 0; plane < width; plane++) {
    counts.fill(0);
    if (scale < 2 ** 24) for (let i = 0; i < n; i++) counts[(zigzags[i]! / scale) & 255]!++;
    else for (let i = 0; i < n; i++) counts[Math.floor(zigzags[i]! / scale) % 256]!++;
    let seen = 0;
    for (let b = 0; b < 256; b++) {
      const c = counts[b]!;
      if (c === 0) continue;
      seen++;
      planeBits -= c * Math.log2(c / n);
    }
    planeBits += (seen - 1) / (2 * Math.LN2);
    scale *= 256;
  }
  return n * packedBits(range) <= planeBits * PLANE_SLACK;
}

/** Writes `values` − `min`, each below `range`, in truncated binary to `out`; returns the bytes written. */
export function writePacked(values: ArrayLike<number>, min: number, range: number, out: ByteWriter): number {
  const n = values.length;
  const k = range <= 1 ? 0 : Math.floor(Math.log2(range));
  const short = 2 ** (k + 1) - range;
  const bits = new BitWriter(out);
  if (range === 2 ** k) for (let i = 0; i < n; i++) bits.write(values[i]! - min, k);
  else
    for (let i = 0; i < n; i++) {
      const x = values[i]! - min;
      if (x < short) bits.write(x, k);
      else bits.write(x + short, k + 1);
    }
  return bits.end();
}

/**
 * The inverse of writePacked: `count` values from `bytes`, into `values`. One loop with its bit state in
 * locals (this decodes most of an archive's numbers, so no call per value): values of up to 24 bits are taken
 * whole, longer ones in 24-bit pieces.
 */
export function readPacked(count: number, min: number, range: number, bytes: Buffer, values: Float64Array): void {
  const k = range <= 1 ? 0 : Math.floor(Math.log2(range));
  const short = 2 ** (k + 1) - range;
  const exact = range === 2 ** k;
  // Zero bytes after the end, so the loop needs no bounds check; reading into them is caught below.
  const buf = Buffer.alloc(bytes.length + 8);
  bytes.copy(buf);
  const head = k === 0 ? 0 : ((k - 1) % 24) + 1;
  const headMask = 2 ** head - 1;
  let acc = 0;
  let available = 0;
  let pos = 0;
  for (let i = 0; i < count; i++) {
    // The value's first `head` bits (1–24), then 24 at a time: `acc` holds the `available` bits, at most 31.
    while (available < head) {
      acc = ((acc << 8) | buf[pos++]!) >>> 0;
      available += 8;
    }
    available -= head;
    let y = (acc >>> available) & headMask;
    acc &= (1 << available) - 1;
    if (k > 24) {
      let rest = k - head;
      while (rest > 0) {
        while (available < 24) {
          acc = ((acc << 8) | buf[pos++]!) >>> 0;
          available += 8;
        }
        available -= 24;
        y = y * 16777216 + ((acc >>> available) & 16777215);
        acc &= (1 << available) - 1;
        rest -= 24;
      }
    }
    if (!exact && y >= short) {
      if (available === 0) {
        acc = buf[pos++]!;
        available = 8;
      }
      available--;
      y = y * 2 + ((acc >>> available) & 1) - short;
      acc &= (1 << available) - 1;
    }
    values[i] = y + min;
  }
  if (pos > bytes.length) throw new TruncatedDataError('packed integers beyond their bytes');
}

/** Bits, high first, appended to a ByteWriter. */
class BitWriter {
  private acc = 0;
  private pending = 0;
  private readonly start: number;

  constructor(private readonly out: ByteWriter) {
    this.start = out.length;
  }

  /** `value` (below 2^bits, bits ≤ 53) in `bits` bits. */
  write(value: number, bits: number): void {
    while (bits > 24) {
      bits -= 24;
      const high = Math.floor(value / 2 ** bits);
      this.put(high, 24);
      value -= high * 2 ** bits;
    }
    this.put(value, bits);
  }

  private put(value: number, bits: number): void {
    // `pending` < 8, so the accumulator holds at most 31 bits.
    this.acc = (this.acc << bits) | value;
    this.pending += bits;
    while (this.pending >= 8) {
      this.pending -= 8;
      this.out.byte((this.acc >>> this.pending) & 255);
    }
    this.acc &= (1 << this.pending) - 1;
  }

  /** Pads the last byte with zero bits; the number of bytes written. */
  end(): number {
    if (this.pending > 0) this.put(0, 8 - this.pending);
    return this.out.length - this.start;
  }
}
