import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bytesToKvString, bytesToKvStringAt, kvStringByteLength, kvStringToBytes } from './binary-value.js';

describe('binary values (surrogateescape)', () => {
  it('round-trips any bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 40 }), (bytes) => {
        const text = bytesToKvString(bytes);
        expect(kvStringToBytes(text)).toEqual(Buffer.from(bytes));
        expect(kvStringByteLength(text)).toBe(bytes.length);
        // What the files hold survives JSON both ways.
        expect(kvStringToBytes(JSON.parse(JSON.stringify(text)))).toEqual(Buffer.from(bytes));
      }),
    );
  });

  it('reads ASCII bytes as their characters, at every short length', () => {
    fc.assert(
      fc.property(fc.uint8Array({ max: 0x7f, maxLength: 70 }), (bytes) => {
        expect(bytesToKvString(bytes)).toBe(Buffer.from(bytes).toString('latin1'));
      }),
      { numRuns: 500 },
    );
  });

  it('reads each length of the character fast path (views into a larger buffer, as the server parses them)', () => {
    const slab = Buffer.from('xxkey:0123456789abcdefghijklmnopqrstuvwxyz', 'latin1');
    for (let n = 0; n <= 24; n++) {
      const view = slab.subarray(2, 2 + n);
      expect(bytesToKvString(view)).toBe('key:0123456789abcdefghijklmnopqrstuvwxyz'.slice(0, n));
      // A non-ASCII last byte leaves the fast path: the same length as UTF-8 text or a stray byte.
      const odd = Buffer.concat([view.subarray(0, Math.max(0, n - 1)), Buffer.of(0xe9)]);
      expect(kvStringToBytes(bytesToKvString(odd))).toEqual(odd);
    }
  });

  it('reads a range of a buffer in place as it reads a view of it: any bytes, any offset', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 90 }), fc.nat(), fc.nat(), (bytes, a, b) => {
        const buf = Buffer.from(bytes);
        const start = bytes.length === 0 ? 0 : a % (bytes.length + 1);
        const end = start + (bytes.length === 0 ? 0 : b % (bytes.length - start + 1));
        expect(bytesToKvStringAt(buf, start, end)).toBe(bytesToKvString(buf.subarray(start, end)));
      }),
      { numRuns: 1000 },
    );
    // Each length of the character fast path and past it, ASCII at an offset.
    const slab = Buffer.from('xxkey:0123456789abcdefghijklmnopqrstuvwxyz'.repeat(3), 'latin1');
    for (let n = 0; n <= 70; n++) expect(bytesToKvStringAt(slab, 2, 2 + n)).toBe(slab.toString('latin1', 2, 2 + n));
  });

  it('keeps valid UTF-8 as the text it spells', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme' }), (s) => {
        expect(bytesToKvString(Buffer.from(s, 'utf8'))).toBe(s);
      }),
    );
  });

  it('maps each stray byte to one lone surrogate, which JSON escapes', () => {
    const text = bytesToKvString(Buffer.from([0x61, 0xff, 0xc3, 0xa9, 0xed, 0xa0, 0x80]));
    expect(text).toBe('a\udcffé\udced\udca0\udc80');
    expect(JSON.stringify(text)).toBe('"a\\udcffé\\udced\\udca0\\udc80"');
  });
});
