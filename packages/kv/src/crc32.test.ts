import { crc32 as zlibCrc32 } from 'node:zlib';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { crc32 } from './crc32.js';

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
});
