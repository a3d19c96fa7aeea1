import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ByteReader, ByteWriter } from './byte-buffer.js';
import { type ColumnStreams, decodeColumn, encodeColumn, shapeOf, skipColumn } from './column-codec.js';

function roundTrip(
  columns: string[][],
  skip: readonly boolean[] = [],
): { decoded: string[][]; codings: number[]; packedBytes: number } {
  const out: ColumnStreams = {
    meta: new ByteWriter(),
    nums: new ByteWriter(),
    dicts: new ByteWriter(),
    strs: new ByteWriter(),
    packed: new ByteWriter(),
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
    packed: new ByteReader(out.packed.result()),
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
  expect(input.meta.done && input.nums.done && input.dicts.done && input.strs.done && input.packed.done).toBe(true);
  return { decoded, codings: codings.map((at) => meta[at]!), packedBytes: out.packed.length };
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

  it('pack columns of random numbers near their entropy; keep planes for rising ones', () => {
    let seed = 7;
    const random = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return Math.floor((seed / 2 ** 31) * n);
    };
    const pids = Array.from({ length: 4000 }, () => String(random(32768)));
    const ids = Array.from({ length: 4000 }, () => `blk_${random(2) ? '-' : ''}${1e15 + random(9e15)}${random(1000)}`);
    const { decoded, packedBytes } = roundTrip([pids, ids]);
    expect(decoded).toEqual([pids, ids]);
    // 15 bits a pid; an id's sign, 16 digits and 0–999: ~64 bits.
    expect(packedBytes).toBeLessThan((4000 * (15 + 64.2)) / 8 + 16);
    const times = Array.from({ length: 4000 }, (_, i) => String(1_700_000_000 + Math.floor(i / 50)));
    expect(roundTrip([times]).packedBytes).toBe(0);
  });

  it('pack long columns of random numbers, and step over them (property)', () => {
    const pick = (n: number) => fc.array(fc.nat(n), { minLength: 64, maxLength: 300 });
    const column = fc.oneof(
      // pids, sizes, signed 19-digit ids (long integers), addresses (shape runs), rising ids (differences)
      pick(32767).map((vs) => vs.map(String)),
      pick(2 ** 26).map((vs) => vs.map(String)),
      fc
        .array(fc.bigInt({ min: -(10n ** 19n), max: 10n ** 19n }), { minLength: 64, maxLength: 300 })
        .map((vs) => vs.map((v) => `${v < 0n ? '-' : ''}${(v < 0n ? -v : v) + 10n ** 18n}`)),
      pick(255).map((vs) => vs.map((v, i) => `10.${v}.${(v * 7 + i) % 256}.${(i * 13) % 256}`)),
      pick(1000).map((vs) => vs.map((v, i) => `job_${1_000_000 + i * 1000 + v}`)),
    );
    fc.assert(
      fc.property(
        fc.array(column, { minLength: 1, maxLength: 4 }),
        fc.array(fc.boolean(), { maxLength: 4 }),
        (cols, skip) => {
          expect(roundTrip(cols, skip).decoded).toEqual(cols);
        },
      ),
      { numRuns: 200 },
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
