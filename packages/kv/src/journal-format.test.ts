import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { crc32 } from './crc32.js';
import { checksumHex, encodeLine } from './journal-format.js';

describe('journal line encoding', () => {
  it("builds a set record's JSON byte for byte as JSON.stringify does", () => {
    fc.assert(
      fc.property(
        fc.string({ unit: 'binary' }),
        fc.string({ unit: 'binary' }),
        fc.option(fc.nat({ max: Number.MAX_SAFE_INTEGER })),
        (k, v, x) => {
          const record = { op: 'set' as const, k, v, x };
          const body = JSON.stringify(record);
          expect(encodeLine(record)).toBe(`{"c":"${crc32(body).toString(16).padStart(8, '0')}","r":${body}}\n`);
        },
      ),
    );
  });

  it("builds a batch record's JSON byte for byte as JSON.stringify does", () => {
    const keyRecord = fc.oneof(
      fc.record({
        op: fc.constant('set' as const),
        k: fc.string({ unit: 'binary' }),
        v: fc.string({ unit: 'binary' }),
        x: fc.option(fc.nat({ max: Number.MAX_SAFE_INTEGER })),
      }),
      fc.record({ op: fc.constant('del' as const), k: fc.string({ unit: 'binary' }) }),
    );
    fc.assert(
      fc.property(fc.array(keyRecord, { minLength: 1, maxLength: 5 }), (ops) => {
        const record = { op: 'batch' as const, ops };
        const body = JSON.stringify(record);
        expect(encodeLine(record)).toBe(`{"c":"${crc32(body).toString(16).padStart(8, '0')}","r":${body}}\n`);
      }),
    );
  });

  it('writes checksums as 8 lowercase hex digits', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
        expect(checksumHex(bytes)).toBe(crc32(bytes).toString(16).padStart(8, '0'));
      }),
    );
  });
});
