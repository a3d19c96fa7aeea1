import { prng } from '../hdfs-generator.js';

/**
 * The data LevelDB's db_bench writes: 16-byte keys (the key number, zero-padded) and 100-byte values that
 * compress to about half (db_bench's default compression ratio 0.5), so compression and block layout
 * matter as they would for real values.
 */
const KEY_BYTES = 16;
const VALUE_BYTES = 100;

export function keyOf(i: number): Buffer {
  return Buffer.from(String(i).padStart(KEY_BYTES, '0'), 'latin1');
}

/** A key that sorts between existing keys i and i+1 and is never stored (db_bench's readmissing: key + "."). */
export function missingKeyOf(i: number): Buffer {
  return Buffer.from(`${String(i).padStart(KEY_BYTES, '0')}.`, 'latin1');
}

/** 1 MiB of value bytes: every 100-byte value is 50 random printable bytes followed by the same 50 again. */
export function valuePool(seed = 301): Buffer {
  const r = prng(seed);
  const pool = Buffer.allocUnsafe(1 << 20);
  for (let off = 0; off + VALUE_BYTES <= pool.length; off += VALUE_BYTES) {
    for (let j = 0; j < VALUE_BYTES / 2; j++) pool[off + j] = 33 + Math.floor(r() * 94);
    pool.copy(pool, off + VALUE_BYTES / 2, off, off + VALUE_BYTES / 2);
  }
  return pool;
}

export function valueAt(pool: Buffer, i: number): Buffer {
  const slots = Math.floor(pool.length / VALUE_BYTES);
  const off = (i % slots) * VALUE_BYTES;
  return pool.subarray(off, off + VALUE_BYTES);
}

/** 0…n-1 in a seeded random order: fill random writes every key exactly once, so reads of 0…n-1 all hit. */
export function permutation(n: number, seed = 42): Uint32Array {
  const r = prng(seed);
  const order = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(r() * (i + 1));
    const t = order[i]!;
    order[i] = order[j]!;
    order[j] = t;
  }
  return order;
}

/** Uniformly random key numbers for reads (with repeats, as db_bench's readrandom). */
export function randomIndexes(n: number, count: number, seed = 7): Uint32Array {
  const r = prng(seed);
  const out = new Uint32Array(count);
  for (let i = 0; i < count; i++) out[i] = Math.floor(r() * n);
  return out;
}
