import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gnu, HDFS_2K, makeEdgeFiles } from '@esc/test-fixtures';
import { expectSameBytes, runEscBytes, runShell } from '../run-esc.js';

// End-to-end: the built binary (`pnpm build` first), its flags, standard input, errors and exit codes,
// against GNU head and tail.

let edge: ReturnType<typeof makeEdgeFiles>;
beforeAll(() => {
  edge = makeEdgeFiles();
});
afterAll(() => edge.cleanup());

const hdfs = () => gnu('cat', [HDFS_2K]).stdout;

describe('esc logtail (binary)', () => {
  it('the original positional form FILE N, and -n N', () => {
    for (const n of ['1', '7', '2500']) {
      const res = runEscBytes(['logtail', HDFS_2K, n]);
      expect(res.status).toBe(0);
      expectSameBytes(res.stdout, gnu('tail', ['-n', n, HDFS_2K]).stdout);
    }
    expectSameBytes(runEscBytes(['logtail', '-n', '3', HDFS_2K]).stdout, gnu('tail', ['-n', '3', HDFS_2K]).stdout);
    // The obsolete `tail -5` / `head -5` form.
    expectSameBytes(runEscBytes(['logtail', '-5', HDFS_2K]).stdout, gnu('tail', ['-5', HDFS_2K]).stdout);
    expectSameBytes(runEscBytes(['logread', '-4', HDFS_2K]).stdout, gnu('head', ['-4', HDFS_2K]).stdout);
  });

  it('reads standard input (no file, or -): last N lines, +N, -c with suffixes', () => {
    const input = hdfs();
    for (const args of [[], ['-n', '4'], ['-n', '+1995', '-'], ['-c', '1K'], ['-c', '+287000'], ['-n', '0']]) {
      const res = runEscBytes(['logtail', ...args], { input });
      expect(res.status).toBe(0);
      expectSameBytes(res.stdout, gnu('tail', args, input).stdout);
    }
  });

  it('several files with headers; a missing file and a directory are reported on one line each, exit 2', () => {
    const a = edge.files['no-final-newline.log']!;
    const missing = join(edge.dir, 'nope.log');
    const res = runEscBytes(['logtail', '-n', '2', a, missing, edge.dir, HDFS_2K]);
    expect(res.status).toBe(2);
    expect(res.stderr).toBe(`esc: ${missing}: No such file or directory\nesc: ${edge.dir}: Is a directory\n`);
    // GNU tail prints a header for a directory before failing to read it; esc refuses it before any output.
    expectSameBytes(res.stdout, gnu('tail', ['-n', '2', a, missing, HDFS_2K]).stdout);
  });

  it('-q and -v as tail has them', () => {
    const a = edge.files['no-final-newline.log']!;
    for (const flags of [['-q'], ['--silent'], ['-v']]) {
      const files = flags[0] === '-v' ? [a] : [a, HDFS_2K];
      const res = runEscBytes(['logtail', ...flags, '-n', '3', ...files]);
      const gnuFlags = flags[0] === '--silent' ? ['-q'] : flags;
      expectSameBytes(res.stdout, gnu('tail', [...gnuFlags, '-n', '3', ...files]).stdout);
    }
  });

  it('rejects a bad count with a one-line usage error and exit 2', () => {
    const res = runEscBytes(['logtail', '-n', 'ten', HDFS_2K]);
    expect(res.status).toBe(2);
    expect(res.stdout.length).toBe(0);
    expect(res.stderr).toMatch(/^esc: invalid number for -n: 'ten'\n$/);
  });
});

describe('esc logread (binary)', () => {
  it('default 10 lines, -n N, --all, standard input', () => {
    expectSameBytes(runEscBytes(['logread', HDFS_2K]).stdout, gnu('head', [HDFS_2K]).stdout);
    expectSameBytes(
      runEscBytes(['logread', '-n', '1500', HDFS_2K]).stdout,
      gnu('head', ['-n', '1500', HDFS_2K]).stdout,
    );
    expectSameBytes(runEscBytes(['logread', '--all', HDFS_2K]).stdout, hdfs());
    const input = edge.files['invalid-utf8.log']!;
    const bytes = gnu('cat', [input]).stdout;
    expectSameBytes(
      runEscBytes(['logread', '-n', '2'], { input: bytes }).stdout,
      gnu('head', ['-n', '2'], bytes).stdout,
    );
    expectSameBytes(runEscBytes(['logread', '--all', '-'], { input: bytes }).stdout, bytes);
  });

  it('headers for several files, standard input named as head names it, -q', () => {
    const a = edge.files['no-final-newline.log']!;
    const input = Buffer.from('from stdin\n');
    const res = runEscBytes(['logread', '-n', '2', a, '-', HDFS_2K], { input });
    expectSameBytes(res.stdout, gnu('head', ['-n', '2', a, '-', HDFS_2K], input).stdout);
    expectSameBytes(runEscBytes(['logread', '-q', a, HDFS_2K]).stdout, gnu('head', ['-q', a, HDFS_2K]).stdout);
  });

  it('-n with --all is a usage error', () => {
    const res = runEscBytes(['logread', '-n', '3', '--all', HDFS_2K]);
    expect(res.status).toBe(2);
    expect(res.stderr).toBe('esc: -n and --all cannot be used together\n');
  });

  it('`| head` ends quietly with status 0 (logread --all and logtail -n +1 on a 20 MiB file)', () => {
    const big = join(edge.dir, 'big.log');
    const line = Buffer.from('081109 203615 148 INFO dfs.DataNode$PacketResponder: a fairly ordinary log line\n');
    writeFileSync(big, Buffer.concat(Array.from({ length: (20 << 20) / line.length }, () => line)));
    for (const args of ['logread --all', 'logtail -n +1']) {
      const res = runShell(`set -o pipefail; $ESC ${args} "${big}" | head -n 1`);
      expect(res.stderr).toBe('');
      expect(res.status).toBe(0);
      expect(res.stdout).toBe(line.toString());
    }
  });
});
