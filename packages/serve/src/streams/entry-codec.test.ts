import { isUtf8 } from 'node:buffer';
import { describe, expect, it } from 'vitest';
import { ByteSlab } from './byte-slab.js';
import { decodeFields, encodeFields, encodeId, ID_HEADER } from './entry-codec.js';
import { formatId, U64_MAX } from './stream-id.js';

/** The stored value as docs/streams.md defines it: the JSON array of the fields, non-UTF-8 ones as base64. */
const reference = (fields: Buffer[]): string =>
  JSON.stringify(fields.map((f) => (isUtf8(f) ? f.toString('utf8') : { b64: f.toString('base64') })));

function randomField(seed: number): Buffer {
  let x = seed * 2654435761;
  const next = () => {
    x = (x * 1103515245 + 12345) >>> 0;
    return x >>> 8;
  };
  const kind = next() % 4;
  const n = kind === 3 ? next() % 200 : next() % 40;
  const b = Buffer.alloc(n);
  for (let i = 0; i < n; i++) b[i] = kind === 0 ? 0x20 + (next() % 95) : kind === 1 ? next() % 128 : next() % 256;
  return kind === 2 ? Buffer.from(b.toString('utf8')) : b;
}

describe('entry codec', () => {
  it('writes the fields as the JSON array of docs/streams.md, byte for byte, and reads them back', () => {
    const slab = new ByteSlab();
    for (let i = 0; i < 3000; i++) {
      const fields = Array.from({ length: 2 + 2 * (i % 3) }, (_, j) => randomField(i * 7 + j));
      const value = encodeFields(fields, slab);
      expect(value.toString('utf8')).toBe(reference(fields));
      const headers = [{ key: ID_HEADER, value: Buffer.from('1-1') }];
      const record = { offset: 0, timestamp: 1, key: null, value, headers };
      expect(decodeFields(record as never)).toEqual(fields);
    }
  });

  it('keeps earlier values intact when the slab fills (views are never overwritten)', () => {
    const slab = new ByteSlab();
    const kept = Array.from({ length: 5000 }, (_, i) => {
      const fields = [Buffer.from(`field${i}`), Buffer.alloc(i % 97, 0x61)];
      return { fields, value: encodeFields(fields, slab) };
    });
    for (const { fields, value } of kept) expect(value.toString()).toBe(reference(fields));
  });

  it('writes IDs as formatId does, over the whole 64-bit range', () => {
    const slab = new ByteSlab();
    const values = [0n, 1n, 9n, 10n, 99n, 1700000000000n, 2n ** 53n - 1n, 2n ** 53n, U64_MAX - 1n, U64_MAX];
    for (const ms of values)
      for (const seq of values) expect(encodeId({ ms, seq }, slab).toString('latin1')).toBe(formatId({ ms, seq }));
  });
});
