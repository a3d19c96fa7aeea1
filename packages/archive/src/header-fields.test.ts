import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { bytesDiff, loghubLog, makeTempDir } from '@esc/test-fixtures';
import { FORMAT_VERSION } from './archive-format.js';
import { ArchiveReader } from './archive-reader.js';
import { ColumnKeys } from './column-keys.js';
import { type FieldLocator, markHeaderFields } from './header-fields.js';
import { foldRepeats, tokenizeLine } from './line-tokenizer.js';
import { roundTrip } from './test-helpers/round-trip.js';

const temp = makeTempDir('esc-archive-fields');
afterAll(() => temp.remove());

// Linux's header, as the parser's linux format splits it: Month Date Time Level Component[PID]: Content.
const LINUX = /^(\w+) +(\d+) (\S+) (\S+) ([^[:]+)(?:\[(\d+)\])?:/;
const linuxFields: FieldLocator = (line) => {
  const m = LINUX.exec(line);
  if (m === null) return null;
  const at: number[] = [];
  let from = 0;
  for (const value of m.slice(1)) {
    const start = value === undefined ? -1 : line.indexOf(value, from);
    at.push(start, start === -1 ? -1 : start + value!.length);
    if (start !== -1) from = start + value!.length;
  }
  return at;
};

function marked(line: string, locate: FieldLocator): string {
  const vars: string[] = [];
  const template = foldRepeats(tokenizeLine(line, vars)!, vars);
  return markHeaderFields(template, vars, locate(line)!);
}

describe('header fields', () => {
  it('marks the variables that are a whole header field, and names their columns by the field', () => {
    const a = marked('Jun 14 15:16:01 combo sshd(pam_unix)[19939]: check pass; user 7 unknown', linuxFields);
    const b = marked('Jul 9 04:02:02 combo su(pam_unix)[2174]: session opened for user 0', linuxFields);
    // Date and PID are whole fields; the time's three numbers are parts of one: named by the text before them.
    expect(a).toBe('Jun \x131 \x11:\x11:\x11 combo sshd(pam_unix)[\x135]: check pass; user \x11 unknown');
    const keys = new ColumnKeys();
    const [aDate, , , , aPid, aUser] = keys.columnsOf(a, true);
    const [bDate, , , , bPid, bUser] = keys.columnsOf(b, true);
    // Different months and components before them, yet one date column and one pid column.
    expect(bDate).toBe(aDate);
    expect(bPid).toBe(aPid);
    expect(bUser).not.toBe(aUser);
    // A version 1 archive's template holds FIELD_MARK as text.
    expect(new ColumnKeys().columnsOf(a, false)).toHaveLength(4);
  });

  it('round-trips a Loghub sample archived with its header fields (version 2 and later)', () => {
    const data = readFileSync(loghubLog('Linux'));
    expect(
      bytesDiff(roundTrip(temp.path, data, { fields: { format: 'linux', locate: linuxFields } }), data),
    ).toBeNull();
    const reader = ArchiveReader.open(`${temp.path}/input.esca`);
    expect(reader.version).toBe(FORMAT_VERSION);
    expect(reader.description.format).toBe('linux');
    reader.close();
  });

  it('round-trips whatever fields a locator claims (property): the marks decide columns, not content', () => {
    const logBytes = fc
      .array(fc.constantFrom(...Buffer.from('0123456789 -_.:/=,[]\r\n\x11\x12\x13\x00ab\xff')), { maxLength: 2000 })
      .map((a) => Buffer.from(a));
    const ranges = fc.array(fc.integer({ min: 0, max: 40 }), { maxLength: 12 });
    fc.assert(
      fc.property(logBytes, ranges, fc.integer({ min: 64, max: 4096 }), (data, bounds, blockBytes) => {
        const locate: FieldLocator = (line) => (line.length % 5 === 0 ? null : bounds);
        const got = roundTrip(temp.path, data, { level: 0, blockBytes, fields: { format: 'x', locate } });
        expect(bytesDiff(got, data)).toBeNull();
      }),
      { numRuns: 200 },
    );
  });
});
