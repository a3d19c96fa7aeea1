import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { JournalEncoder } from './journal-encoder.js';
import { encodeLine, type JournalRecord } from './journal-format.js';

const text = fc.oneof(
  fc.string({ unit: 'binary' }),
  fc.string({ unit: 'grapheme-ascii' }),
  fc.string({ unit: 'binary', minLength: 3000, maxLength: 6000 }),
);
const keyRecord = fc.oneof(
  fc.record({
    op: fc.constant('set' as const),
    k: text,
    v: text,
    x: fc.option(fc.nat({ max: Number.MAX_SAFE_INTEGER })),
  }),
  fc.record({ op: fc.constant('del' as const), k: text }),
);
const record: fc.Arbitrary<JournalRecord> = fc.oneof(
  keyRecord,
  fc.constant({ op: 'clear' as const }),
  fc.record({ op: fc.constant('batch' as const), ops: fc.array(keyRecord, { minLength: 1, maxLength: 5 }) }),
);

describe('JournalEncoder', () => {
  it('writes the bytes of encodeLine for every record, across its buffer growing', () => {
    fc.assert(
      fc.property(fc.array(record, { maxLength: 40 }), (records) => {
        const encoder = new JournalEncoder();
        for (const r of records) encoder.add(r);
        expect(encoder.lines).toBe(records.length);
        expect(encoder.take().toString('utf8')).toBe(records.map(encodeLine).join(''));
        expect(encoder.lines).toBe(0);
      }),
      { numRuns: 300 },
    );
  });

  it("writes a command's key changes added one by one as encodeLine writes its record (a batch of several)", () => {
    fc.assert(
      fc.property(fc.array(fc.array(keyRecord, { minLength: 1, maxLength: 12 }), { maxLength: 20 }), (commands) => {
        const encoder = new JournalEncoder();
        for (const ops of commands) {
          for (const op of ops) {
            if (op.op === 'set') encoder.set(op.k, op.v, op.x);
            else encoder.del(op.k);
          }
          encoder.endLine();
          encoder.endLine(); // a second end adds nothing
        }
        const records = commands.map((ops): JournalRecord => (ops.length === 1 ? ops[0]! : { op: 'batch', ops }));
        expect(encoder.lines).toBe(commands.length);
        expect(encoder.take().toString('utf8')).toBe(records.map(encodeLine).join(''));
      }),
      { numRuns: 300 },
    );
  });

  it('copies exactly the characters JSON writes as they are, and escapes the rest (each of U+0000-U+0100)', () => {
    const encoder = new JournalEncoder();
    const records: JournalRecord[] = [];
    for (let c = 0; c <= 0x100; c++) {
      const ch = String.fromCharCode(c);
      const r: JournalRecord = { op: 'set', k: `key:${ch}`, v: `${ch}v`, x: null };
      encoder.add(r);
      records.push(r, { op: 'del', k: ch });
      encoder.add({ op: 'del', k: ch });
    }
    expect(encoder.take().toString('utf8')).toBe(records.map(encodeLine).join(''));
  });

  it('starts over after take and clear', () => {
    const encoder = new JournalEncoder();
    encoder.add({ op: 'del', k: 'a' });
    encoder.clear();
    encoder.add({ op: 'set', k: 'k\n"\\', v: 'é\udc80', x: 5 });
    expect(encoder.take().toString('utf8')).toBe(encodeLine({ op: 'set', k: 'k\n"\\', v: 'é\udc80', x: 5 }));
    expect(encoder.take().length).toBe(0);
  });

  it('writes expiry times as JSON.stringify does, either side of its eight-digit halves and past safe integers', () => {
    const encoder = new JournalEncoder();
    const xs = [
      0,
      7,
      10,
      99_999_999,
      100_000_000,
      100_000_001,
      1_764_756_000_000,
      Number.MAX_SAFE_INTEGER,
      2 ** 53,
      1e21,
    ];
    const records: JournalRecord[] = xs.map((x) => ({ op: 'set', k: 'k', v: 'v', x }));
    for (const r of records) encoder.add(r);
    expect(encoder.take().toString('utf8')).toBe(records.map(encodeLine).join(''));
  });
});
