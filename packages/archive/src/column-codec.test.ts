import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ByteReader, ByteWriter } from './byte-buffer.js';
import { type ColumnStreams, decodeColumn, encodeColumn, shapeOf, skipColumn } from './column-codec.js';

function roundTrip(columns: string[][], skip: readonly boolean[] = []): { decoded: string[][]; codings: number[] } {
  const out: ColumnStreams = {
    meta: new ByteWriter(),
    nums: new ByteWriter(),
    dicts: new ByteWriter(),
    strs: new ByteWriter(),
    strings: new Map(),
  };
  const codings: number[] = [];
  for (const column of columns) {
    codings.push(out.meta.length);
    encodeColumn(column, out);
  }
  const meta = out.meta.result();
  const input = {
    meta: new ByteReader(meta),
    nums: new ByteReader(out.nums.result()),
    dicts: new ByteReader(out.dicts.result()),
    strs: new ByteReader(out.strs.result()),
    strStarts: [],
    strEnds: [],
    referenced: [],
  };
  const decoded = columns.map((c, k) => {
    if (skip[k]) {
      skipColumn(c.length, input);
      return c;
    }
    const values = decodeColumn(c.length, input);
    return c.map((_, i) => values.text(i));
  });
  expect(input.meta.done && input.nums.done && input.dicts.done && input.strs.done).toBe(true);
  return { decoded, codings: codings.map((at) => meta[at]!) };
}

describe('column codecs', () => {
  it('pick the coding that fits the values, and decode them back', () => {
    const columns = [
      ['x', 'x', 'x'],
      ['12', '-7', '0', '999999999999999'],
      ['081109', '081110', '000001'],
      ['10.251.43.21', '10.0.0.1', '192.168.1.255'],
      ['-1608999687919862906', '7503483334202473044', '1234567890'],
      ['INFO', 'WARN', 'INFO', 'INFO', 'WARN', 'INFO'],
      ['a1', 'b22', 'c333'],
    ];
    const { decoded, codings } = roundTrip(columns);
    expect(decoded).toEqual(columns);
    // constant, integer, fixed width, shape, long integer, dictionary, string
    expect(codings).toEqual([5, 2, 3, 4, 6, 1, 0]);
  });

  it("read a shape's runs in place, however the values cut (minus signs, leading zeros, long runs)", () => {
    const columns = [
      ['--1', '-5', '--7', '-0'],
      ['a-007', 'a-012', 'a-100'],
      ['x07y1', 'x7y22', 'x007y333'],
      ['id-12345678901234567890', 'id-98765432109876543210', 'id-1'],
      ['v1.0', 'v1.0', 'v1.0', 'v2.0'],
    ];
    const { decoded, codings } = roundTrip(columns);
    expect(decoded).toEqual(columns);
    expect(codings).toEqual([4, 4, 4, 4, 4]);
  });

  it('step over skipped columns exactly: the others still decode (property)', () => {
    const token = fc.stringMatching(/^[-0-9a-z._]{1,24}$/);
    const columns = fc.array(fc.array(token, { minLength: 1, maxLength: 30 }), { maxLength: 8 });
    fc.assert(
      fc.property(columns, fc.array(fc.boolean(), { maxLength: 8 }), (cols, skip) => {
        expect(roundTrip(cols, skip).decoded).toEqual(cols);
      }),
      { numRuns: 500 },
    );
  });

  it('round-trip any columns of tokens (property)', () => {
    const token = fc.stringMatching(/^[-0-9a-z._]{1,24}$/);
    fc.assert(
      fc.property(fc.array(fc.array(token, { minLength: 1, maxLength: 30 }), { maxLength: 8 }), (columns) => {
        expect(roundTrip(columns).decoded).toEqual(columns);
      }),
      { numRuns: 500 },
    );
  });

  it('write integers back digit for digit: signs, leading zeros, 15 to 24 digits (property)', () => {
    const integer = fc.oneof(
      fc.integer().map(String),
      fc.bigInt({ min: -(2n ** 53n), max: 2n ** 53n }).map(String),
      fc.bigInt({ min: 10n ** 9n, max: 10n ** 24n - 1n }).map(String),
      fc.stringMatching(/^[0-9]{6}$/),
    );
    fc.assert(
      fc.property(fc.array(fc.array(integer, { minLength: 1, maxLength: 20 }), { maxLength: 6 }), (columns) => {
        expect(roundTrip(columns).decoded).toEqual(columns);
      }),
      { numRuns: 500 },
    );
  });

  it('cut values at number runs as the regex does (property)', () => {
    const NUMBER_RUN = /(?<![0-9A-Za-z])-\d+|\d+/g;
    const value = fc.stringMatching(/^[-0-9aZ_.:]{0,20}$/);
    fc.assert(
      fc.property(value, (v) => {
        const runs: string[] = [];
        expect(shapeOf(v, runs)).toBe(v.replace(NUMBER_RUN, '\x11'));
        expect(runs).toEqual(v.match(NUMBER_RUN) ?? []);
      }),
      { numRuns: 2000 },
    );
  });
});
