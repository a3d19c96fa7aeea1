import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeGrepFixtures } from '@esc/test-fixtures';
import { asEscMessages, grepAndEsc } from './grep-and-esc.js';

// esc loggrep against GNU grep (LC_ALL=C) on the same files and arguments: stdout byte for byte, the exit
// status, and stderr with the program name mapped. Patterns are chosen where JavaScript regular expressions
// and POSIX EREs agree. Needs the built binary (`pnpm build`).

let fixtures: ReturnType<typeof makeGrepFixtures>;
beforeAll(() => {
  fixtures = makeGrepFixtures();
});
afterAll(() => fixtures.cleanup());

async function expectSameAsGrep(args: string[], input?: Buffer) {
  const { grep, esc } = await grepAndEsc(args, fixtures.dir, input);
  expect(grep.code, `grep ${args.join(' ')}: ${grep.stderr}`).not.toBeNull();
  expect(esc.stderr).toBe(asEscMessages(grep.stderr));
  // Compare as latin1 text: equal bytes, and a readable diff when they are not.
  expect(esc.stdout.toString('latin1')).toBe(grep.stdout.toString('latin1'));
  expect(esc.code).toBe(grep.code);
}

const HDFS_PATTERNS = [
  'WARN',
  'blk_-?[0-9]+ of size [0-9]+',
  'PacketResponder [0-9] for block',
  'terminating$',
  '(Receiving|Received) block',
  '^081109 2035',
  '10\\.251\\.[0-9]+\\.[0-9]+',
  'namesystem',
];
const HDFS_FLAGS = [
  [],
  ['-c'],
  ['-n'],
  ['-v', '-c'],
  ['-w', '-c'],
  ['-o', '-n', '-i'],
  ['-m', '5', '-n'],
  ['-A', '2'],
  ['-B', '3', '-n'],
  ['-C', '1', '-m', '7'],
  ['-v', '-m', '4', '-A', '1', '-n'],
  ['-i', '-w', '-o', '-H'],
  ['--color=always', '-n'],
  ['--color=always', '-o', '-H'],
  ['--color=always', '-v', '-C', '1', '-m', '3'],
];

describe('loggrep matches GNU grep on the Loghub HDFS sample (CRLF)', () => {
  const cases = HDFS_PATTERNS.flatMap((p) =>
    HDFS_FLAGS.map((f) => [[...f, '-E', p, 'HDFS_2k.log'].join(' '), [...f, '-E', p, 'HDFS_2k.log']] as const),
  );
  it.concurrent.each(cases)('grep %s', async (_name, args) => expectSameAsGrep([...args]));
});

const OTHER_CASES: [string, string[]][] = [
  ['Apache_2k.log', ['\\[error\\]', 'workerEnv\\.init\\(\\) ok', 'ERROR']],
  ['Linux_2k.log', ['rhost=[0-9.]+', 'session (opened|closed)']],
  ['OpenSSH_2k.log', ['Failed password for (invalid user )?[a-z]+', 'port [0-9]{4}\\b']],
  ['Proxifier_2k.log', [' - [0-9]+ bytes', 'close, [0-9]+ bytes \\([0-9.]+ KB\\)']],
];
const OTHER_FLAGS = [[], ['-c', '-v'], ['-n', '-o'], ['-i', '-w', '-c'], ['-C', '2', '-n'], ['--color=always', '-i']];

describe('loggrep matches GNU grep on other Loghub samples', () => {
  const cases = OTHER_CASES.flatMap(([file, patterns]) =>
    patterns.flatMap((p) => OTHER_FLAGS.map((f) => [[...f, p, file].join(' '), [...f, '-e', p, file]] as const)),
  );
  it.concurrent.each(cases)('grep %s', async (_name, args) => expectSameAsGrep([...args]));
});

describe('loggrep matches GNU grep on edge cases', () => {
  const EDGE_FILES = [
    'no-final-newline.log',
    'empty.log',
    'blank-lines.log',
    'invalid-utf8.log',
    'crlf.log',
    'lf.log',
    'binary-early.bin',
    'binary-nomatch.bin',
  ];
  const EDGE_FLAGS = [[], ['-c'], ['-o', '-n'], ['-v', '-n'], ['-A', '1', '-n'], ['-c', '-v']];
  const cases: [string, string[]][] = EDGE_FILES.flatMap((file) =>
    EDGE_FLAGS.map((f) => [[...f, 'ERROR', file].join(' '), [...f, 'ERROR', file]] as [string, string[]]),
  );
  cases.push(
    ...(
      [
        // several files, names, separators between files
        ['ERROR', 'lf.log', 'crlf.log', 'no-final-newline.log'],
        ['-c', 'ERROR', 'lf.log', 'crlf.log', 'empty.log'],
        ['-h', '-n', 'ERROR', 'lf.log', 'crlf.log'],
        ['-n', '-C', '1', 'disk', 'lf.log', 'crlf.log'],
        ['-H', 'WARN', 'lf.log'],
        ['-H', '-h', 'WARN', 'lf.log'],
        ['-h', '-H', 'WARN', 'lf.log'],
        // a missing file and a directory among others: reported, the rest still searched, status 2
        ['ERROR', 'lf.log', 'missing.log', 'crlf.log'],
        ['-c', 'ERROR', 'missing.log', 'lf.log'],
        ['-q', 'ERROR', 'missing.log', 'lf.log'],
        ['-q', 'NOPE', 'missing.log', 'lf.log'],
        ['-s', 'ERROR', 'missing.log', 'lf.log'],
        ['ERROR', '.'],
        ['NOPE', 'lf.log', 'crlf.log'],
        // several patterns, fixed strings, empty patterns and empty matches
        ['-e', 'ERROR', '-e', 'WARN', '-n', 'lf.log'],
        ['-F', '-e', 'disk full', '-e', 'slow', '-c', 'lf.log'],
        ['-F', '-i', '-o', 'Id=1', 'crlf.log'],
        ['-F', 'a.b', 'lf.log'],
        ['-e', 'x*', '-c', 'lf.log'],
        ['-o', 'x*', 'blank-lines.log'],
        ['', 'blank-lines.log'],
        ['-c', '', 'blank-lines.log'],
        ['-n', '-v', 'x', 'blank-lines.log'],
        ['-x', '', 'blank-lines.log'],
        ['-m', '0', 'ERROR', 'lf.log'],
        ['-c', '-m', '0', 'ERROR', 'lf.log'],
        ['-m', '2', '-c', 'ERROR', 'lf.log', 'crlf.log'],
        ['-m', '1', '-A', '5', '-n', 'ERROR', 'lf.log'],
        ['-o', '-A', '1', '-n', 'ERROR', 'lf.log'],
        ['-v', '-o', '-A', '1', '-n', 'disk', 'lf.log'],
        ['-A', '0', 'disk', 'lf.log'],
        ['-C', '0', '-n', 'disk', 'crlf.log', 'lf.log'],
        ['-w', 'id=[0-9]', 'lf.log'],
        ['-o', '-w', '[a-z]+', 'no-final-newline.log'],
        ['-ci', 'error', 'lf.log'],
        ['-nA1', 'disk', 'lf.log'],
        ['-2', '-n', 'disk', 'lf.log'],
        ['-c', '-e', '-1', 'lf.log', '--', '-1'],
        // bytes: grep in the C locale and esc both match and print raw bytes
        ['-o', '[^ ]*ERROR', 'invalid-utf8.log'],
        ['-n', 'caf.', 'invalid-utf8.log'],
        ['-o', 'caf.', 'invalid-utf8.log'],
        ['-c', '\u00e9', 'invalid-utf8.log'],
        ['-o', '.$', 'crlf.log'],
        // a 16 MiB line
        ['-c', 'y', 'long-line.log'],
        ['-n', 'ERROR', 'long-line.log'],
        ['-o', 'y{3}ERROR at', 'long-line.log'],
        ['-c', '-v', 'ERROR', 'long-line.log'],
        // file lists
        ['-l', 'ERROR', 'lf.log', 'empty.log', 'missing.log', 'binary-early.bin', 'crlf.log'],
        ['-L', 'ERROR', 'lf.log', 'empty.log', 'blank-lines.log'],
        ['-L', 'ERROR', 'lf.log'],
        ['-l', '-c', '-v', 'ERROR', 'lf.log', 'empty.log'],
        ['--color=always', '-l', 'ERROR', 'lf.log', 'crlf.log'],
        // binary files
        ['-c', 'ERROR', 'binary-early.bin'],
        ['-a', '-n', 'ERROR', 'binary-early.bin'],
        ['-q', 'ERROR', 'binary-early.bin'],
        ['ERROR', 'lf.log', 'binary-early.bin', 'crlf.log'],
      ] as string[][]
    ).map((args) => [args.join(' '), args] as [string, string[]]),
  );
  it.concurrent.each(cases)('grep %s', async (_name, args) => expectSameAsGrep(args));

  it('reads standard input for `-` and when no file is given', async () => {
    const input = readFileSync(join(fixtures.dir, 'crlf.log'));
    await expectSameAsGrep(['-n', 'ERROR'], input);
    await expectSameAsGrep(['-c', 'ERROR', '-', 'lf.log'], input);
    await expectSameAsGrep(['-H', '-m', '2', 'WARN', '-'], input);
  });
});
