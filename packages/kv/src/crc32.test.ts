import { crc32 as zlibCrc32 } from 'node:zlib';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { crc32, crc32Range } from './crc32.js';

// Nothing here calls loadNativeCrc32, so short inputs take the JavaScript path, long ones zlib's.
describe('crc32', () => {
  it('equals zlib.crc32 for strings and bytes of every length, either side of the native cut-over', () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.string({ unit: 'binary', maxLength: 5000 }), fc.string(), fc.uint8Array({ maxLength: 9000 })),
        (input) => {
          expect(crc32(input)).toBe(zlibCrc32(input));
        },
      ),
      { numRuns: 500 },
    );
    expect(crc32('')).toBe(0);
    expect(crc32('123456789')).toBe(0xcbf43926); // the standard check value
  });

  it('sums a range of bytes in place as zlib.crc32 sums its copy, short and long', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 600 }), fc.nat(), fc.nat(), (bytes, a, b) => {
        const start = bytes.length === 0 ? 0 : a % bytes.length;
        const end = start + (bytes.length === 0 ? 0 : b % (bytes.length - start + 1));
        expect(crc32Range(bytes, start, end)).toBe(zlibCrc32(bytes.subarray(start, end)));
      }),
      { numRuns: 300 },
    );
  });
});
