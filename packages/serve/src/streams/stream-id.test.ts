import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  compareIds,
  decrementId,
  formatId,
  incrementId,
  MAX_ID,
  nextAutoId,
  parseId,
  parseIntervalId,
  parseU64,
  U64_MAX,
} from './stream-id.js';

describe('stream IDs', () => {
  it('parse as Redis does: ms-seq, a missing seq, - and + unless strict, ms-* only for XADD, at most 2^64-1', () => {
    expect(parseId('1-2')).toEqual({ id: { ms: 1n, seq: 2n }, seqGiven: true });
    expect(parseId('5')?.id).toEqual({ ms: 5n, seq: 0n });
    expect(parseId('5', { missingSeq: U64_MAX })?.id).toEqual({ ms: 5n, seq: U64_MAX });
    expect(parseId('-')?.id).toEqual({ ms: 0n, seq: 0n });
    expect(parseId('+')?.id).toEqual(MAX_ID);
    expect(parseId('-', { strict: true })).toBeNull();
    expect(parseId('+', { strict: true })).toBeNull();
    expect(parseId('7-*')).toBeNull();
    expect(parseId('7-*', { allowSeqStar: true })).toEqual({ id: { ms: 7n, seq: 0n }, seqGiven: false });
    expect(parseId('18446744073709551615-18446744073709551615')?.id).toEqual(MAX_ID);
    for (const bad of [
      '',
      'abc',
      '1-',
      '-1',
      '1-2-3',
      '18446744073709551616',
      '1-18446744073709551616',
      '1.5',
      '0x10',
      '1 -2',
    ])
      expect(parseId(bad), bad).toBeNull();
    // strtoull's leniency: leading blanks, a plus sign, leading zeros.
    expect(parseId('007-+3')?.id).toEqual({ ms: 7n, seq: 3n });
    expect(parseId(Buffer.from('1-2\0junk'))?.id).toEqual({ ms: 1n, seq: 2n });
    expect(parseId('1'.repeat(128))).toBeNull();
    expect(parseU64(' 42')).toBe(42n);
  });

  it('interval bounds: ( makes them exclusive and refuses - and +', () => {
    expect(parseIntervalId(Buffer.from('(5-1'), 0n)).toEqual({ id: { ms: 5n, seq: 1n }, exclusive: true });
    expect(parseIntervalId(Buffer.from('('), 0n)).toBeNull();
    expect(parseIntervalId(Buffer.from('(-'), 0n)).toBeNull();
    expect(parseIntervalId(Buffer.from('+'), U64_MAX)).toEqual({ id: MAX_ID, exclusive: false });
  });

  it('increment and decrement carry between the two words and stop at the ends', () => {
    expect(incrementId({ ms: 1n, seq: U64_MAX })).toEqual({ ms: 2n, seq: 0n });
    expect(incrementId(MAX_ID)).toBeNull();
    expect(decrementId({ ms: 2n, seq: 0n })).toEqual({ ms: 1n, seq: U64_MAX });
    expect(decrementId({ ms: 0n, seq: 0n })).toBeNull();
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: U64_MAX }), fc.bigInt({ min: 0n, max: U64_MAX }), (ms, seq) => {
        const id = { ms, seq };
        const up = incrementId(id);
        if (up !== null) {
          expect(compareIds(up, id)).toBe(1);
          expect(decrementId(up)).toEqual(id);
        }
        expect(parseId(formatId(id))?.id).toEqual(id);
      }),
    );
  });

  it('* takes the clock, or the last ms with the next sequence when the clock is behind', () => {
    expect(nextAutoId({ ms: 10n, seq: 4n }, 11)).toEqual({ ms: 11n, seq: 0n });
    expect(nextAutoId({ ms: 10n, seq: 4n }, 10)).toEqual({ ms: 10n, seq: 5n });
    expect(nextAutoId({ ms: 10n, seq: 4n }, 3)).toEqual({ ms: 10n, seq: 5n });
    expect(nextAutoId({ ms: 10n, seq: U64_MAX }, 3)).toEqual({ ms: 11n, seq: 0n });
    expect(nextAutoId(MAX_ID, 3)).toBeNull();
  });
});
