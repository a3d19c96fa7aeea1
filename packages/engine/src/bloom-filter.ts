/**
 * A bloom filter over a segment's keys. Two independent 32-bit hashes (murmur3 with two unrelated seeds)
 * generate all k probe positions as h1 + i·h2 (Kirsch–Mitzenmacher double hashing), which keeps the false
 * positive rate of k truly independent hashes while hashing each key only twice.
 *
 * Block layout: u8 k, u32 LE number of bits m, then ceil(m/8) bytes of bits (bit j is byte j>>3, mask 1<<(j&7)).
 */

const SEED1 = 0x9747b28c;
const SEED2 = 0x3c6ef372;

function murmur3(key: Uint8Array, seed: number): number {
  return murmur3Slice(key, 0, key.length, seed);
}

/** murmur3 of key[start, start + n) without making a subarray. */
function murmur3Slice(key: Uint8Array, start: number, n: number, seed: number): number {
  let h = seed >>> 0;
  const tail = start + (n & ~3);
  for (let i = start; i < tail; i += 4) {
    let k = key[i]! | (key[i + 1]! << 8) | (key[i + 2]! << 16) | (key[i + 3]! << 24);
    k = Math.imul(k, 0xcc9e2d51);
    k = (k << 15) | (k >>> 17);
    k = Math.imul(k, 0x1b873593);
    h ^= k;
    h = (h << 13) | (h >>> 19);
    h = (Math.imul(h, 5) + 0xe6546b64) | 0;
  }
  const rest = n & 3;
  if (rest > 0) {
    let k = 0;
    if (rest === 3) k ^= key[tail + 2]! << 16;
    if (rest >= 2) k ^= key[tail + 1]! << 8;
    k ^= key[tail]!;
    k = Math.imul(k, 0xcc9e2d51);
    k = (k << 15) | (k >>> 17);
    k = Math.imul(k, 0x1b873593);
    h ^= k;
  }
  h ^= n;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** k = bits·ln 2 minimises the false positive rate for a given number of bits per key. */
export function optimalHashCount(bitsPerKey: number): number {
  return Math.max(1, Math.min(30, Math.round(bitsPerKey * Math.LN2)));
}

/** (1 − e^(−k/b))^k: the expected false positive rate with b bits per key and k hashes. */
export function theoreticalFpRate(bitsPerKey: number, k = optimalHashCount(bitsPerKey)): number {
  if (bitsPerKey <= 0) return 1;
  return (1 - Math.exp(-k / bitsPerKey)) ** k;
}

/** The two hashes every filter uses for `key`, whatever its size: compute once, probe many. */
export function keyHashes(key: Uint8Array): [number, number] {
  return [murmur3(key, SEED1), murmur3(key, SEED2)];
}

export class BloomFilterBuilder {
  private readonly h1: number[] = [];
  private readonly h2: number[] = [];

  constructor(readonly bitsPerKey: number) {}

  add(key: Uint8Array): void {
    this.addSlice(key, 0, key.length);
  }

  addSlice(buf: Uint8Array, start: number, len: number): void {
    this.h1.push(murmur3Slice(buf, start, len, SEED1));
    this.h2.push(murmur3Slice(buf, start, len, SEED2));
  }

  finish(): Buffer {
    const k = optimalHashCount(this.bitsPerKey);
    const bits = Math.max(64, Math.ceil((this.h1.length * this.bitsPerKey) / 8) * 8);
    const out = Buffer.alloc(5 + bits / 8);
    out[0] = k;
    out.writeUInt32LE(bits, 1);
    for (let i = 0; i < this.h1.length; i++) {
      let h = this.h1[i]!;
      const delta = this.h2[i]!;
      for (let j = 0; j < k; j++) {
        const bit = h % bits;
        out[5 + (bit >>> 3)]! |= 1 << (bit & 7);
        h += delta;
      }
    }
    return out;
  }
}

export class BloomFilter {
  readonly hashes: number;
  private readonly bits: number;

  constructor(private readonly block: Buffer) {
    this.hashes = block[0]!;
    this.bits = block.readUInt32LE(1);
    if (this.hashes < 1 || this.bits < 8 || block.length !== 5 + this.bits / 8)
      throw new RangeError('malformed bloom filter block');
  }

  mayContain(key: Uint8Array): boolean {
    return this.mayContainHashed(murmur3(key, SEED1), murmur3(key, SEED2));
  }

  /** As mayContain, with the key's two hashes computed once (keyHashes) for all the segments a read probes. */
  mayContainHashed(h1: number, h2: number): boolean {
    let h = h1;
    const delta = h2;
    const bits = this.bits;
    const block = this.block;
    for (let j = 0; j < this.hashes; j++) {
      const bit = h % bits;
      if ((block[5 + (bit >>> 3)]! & (1 << (bit & 7))) === 0) return false;
      h += delta;
    }
    return true;
  }
}
