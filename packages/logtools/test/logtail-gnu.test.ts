import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openInput, type EscError } from '@esc/core';
import { logtail, parseCount } from '../src/index.js';
import { printTail } from '../src/logtail.js';
import { gnu, headerCases, makeEdgeFiles } from '@esc/test-fixtures';
import { captureOutput } from '../src/test-helpers/capture-output.js';

// Differential tests: the logtail library against GNU tail, byte for byte, on every edge-case file, both
// through the backward reader (regular files) and through the ring (the same bytes read as a stream).

let edge: ReturnType<typeof makeEdgeFiles>;
beforeAll(() => {
  edge = makeEdgeFiles();
});
afterAll(() => edge.cleanup());

const LINE_COUNTS = ['0', '1', '2', '3', '5', '10', '99', '1000', '1999', '2000', '2001', '100000', '1K'];
const FROM_LINES = ['+0', '+1', '+2', '+3', '+10', '+1999', '+2000', '+2001', '+5000'];
const BYTE_COUNTS = [
  '0',
  '1',
  '2',
  '3',
  '7',
  '100',
  '4096',
  '65536',
  '287847',
  '287848',
  '287849',
  '1K',
  '2b',
  '1kB',
  '1M',
  '20M',
];
const FROM_BYTES = ['+0', '+1', '+2', '+100', '+287848', '+287849', '+1K', '+16M'];

const FORMS: [string, string[]][] = [
  ['-n', LINE_COUNTS],
  ['-n', FROM_LINES],
  ['-c', BYTE_COUNTS],
  ['-c', FROM_BYTES],
];

async function ours(path: string, flag: string, value: string, asStream: boolean): Promise<Buffer> {
  const count = parseCount(value, flag);
  const unit = flag === '-c' ? 'bytes' : 'lines';
  return captureOutput(edge.dir, async (out) => {
    const opened = openInput(path);
    // The same bytes read as a stream (fs.read without a position) exercise the path pipes take.
    const source = asStream ? { ...opened, isRegularFile: false, size: null } : opened;
    try {
      await printTail(source, { count, unit }, out);
      out.flush();
    } finally {
      opened.close();
    }
  });
}

describe('logtail matches GNU tail byte for byte', () => {
  const names = [
    'HDFS_2k.log',
    'loghub-no-final-newline.log',
    'Apache_2k.log',
    'OpenSSH_2k.log',
    'empty.log',
    'only-newlines.log',
    'no-final-newline.log',
    'one-char.log',
    'one-newline.log',
    'invalid-utf8.log',
  ];
  for (const name of names) {
    it(`${name}: -n N, -n +N, -c N, -c +N, as a file and as a stream`, async () => {
      const path = edge.files[name]!;
      const mismatches: string[] = [];
      for (const [flag, values] of FORMS) {
        for (const value of values) {
          const expected = gnu('tail', [flag, value, path]).stdout;
          for (const asStream of [false, true]) {
            const got = await ours(path, flag, value, asStream);
            if (!got.equals(expected))
              mismatches.push(
                `${flag} ${value}${asStream ? ' (stream)' : ''}: ${got.length} vs ${expected.length} bytes`,
              );
          }
        }
      }
      expect(mismatches).toEqual([]);
    });
  }

  it('long-line.log (a 16 MiB line): a few counts of each form', async () => {
    const path = edge.files['long-line.log']!;
    const mismatches: string[] = [];
    for (const [flag, value] of [
      ['-n', '1'],
      ['-n', '2'],
      ['-n', '3'],
      ['-n', '10'],
      ['-n', '+3'],
      ['-n', '+4'],
      ['-c', '5'],
      ['-c', '16M'],
      ['-c', '+20'],
    ] as const) {
      const expected = gnu('tail', [flag, value, path]).stdout;
      for (const asStream of [false, true]) {
        const got = await ours(path, flag, value, asStream);
        if (!got.equals(expected)) mismatches.push(`${flag} ${value}${asStream ? ' (stream)' : ''}`);
      }
    }
    expect(mismatches).toEqual([]);
  });

  it('several files get ==> name <== headers; -q and -v; a missing file is reported and skipped', async () => {
    const missing = `${edge.dir}/missing.log`;
    for (const [files, headers, flags] of headerCases(edge.files, missing)) {
      for (const [flag, value] of [
        ['-n', '3'],
        ['-c', '+5'],
        ['-n', '0'],
      ] as const) {
        const reported: EscError[] = [];
        let status = -1;
        const got = await captureOutput(edge.dir, async (out) => {
          status = await logtail(
            files,
            { count: parseCount(value, flag), unit: flag === '-c' ? 'bytes' : 'lines', headers },
            { out, report: (err) => reported.push(err), notice: () => {} },
          );
        });
        const expected = gnu('tail', [...flags, flag, value, ...files]);
        expect(got.toString('latin1')).toBe(expected.stdout.toString('latin1'));
        const wantErrors = files.includes(missing) && value !== '0' ? [`${missing}: No such file or directory`] : [];
        expect(reported.map((err) => err.describe())).toEqual(wantErrors);
        expect(status).toBe(wantErrors.length ? 2 : 0);
      }
    }
  });
});
