import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ESC_BIN, gnu, HDFS_2K, makeEdgeFiles, runEsc } from './logtail-test-files.js';

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
      const res = runEsc(['logtail', HDFS_2K, n]);
      expect(res.status).toBe(0);
      expect(res.stdout.equals(gnu('tail', ['-n', n, HDFS_2K]).stdout)).toBe(true);
    }
    expect(runEsc(['logtail', '-n', '3', HDFS_2K]).stdout.equals(gnu('tail', ['-n', '3', HDFS_2K]).stdout)).toBe(true);
    // The obsolete `tail -5` / `head -5` form.
    expect(runEsc(['logtail', '-5', HDFS_2K]).stdout.equals(gnu('tail', ['-5', HDFS_2K]).stdout)).toBe(true);
    expect(runEsc(['logread', '-4', HDFS_2K]).stdout.equals(gnu('head', ['-4', HDFS_2K]).stdout)).toBe(true);
  });

  it('reads standard input (no file, or -): last N lines, +N, -c with suffixes', () => {
    const input = hdfs();
    for (const args of [[], ['-n', '4'], ['-n', '+1995', '-'], ['-c', '1K'], ['-c', '+287000'], ['-n', '0']]) {
      const res = runEsc(['logtail', ...args], input);
      expect(res.status).toBe(0);
      expect(res.stdout.equals(gnu('tail', args, input).stdout)).toBe(true);
    }
  });

  it('several files with headers; a missing file and a directory are reported on one line each, exit 2', () => {
    const a = edge.files['no-final-newline.log']!;
    const missing = join(edge.dir, 'nope.log');
    const res = runEsc(['logtail', '-n', '2', a, missing, edge.dir, HDFS_2K]);
    expect(res.status).toBe(2);
    expect(res.stderr).toBe(`esc: ${missing}: No such file or directory\nesc: ${edge.dir}: Is a directory\n`);
    // GNU tail prints a header for a directory before failing to read it; esc refuses it before any output.
    expect(res.stdout.equals(gnu('tail', ['-n', '2', a, missing, HDFS_2K]).stdout)).toBe(true);
  });

  it('-q and -v as tail has them', () => {
    const a = edge.files['no-final-newline.log']!;
    for (const flags of [['-q'], ['--silent'], ['-v']]) {
      const files = flags[0] === '-v' ? [a] : [a, HDFS_2K];
      const res = runEsc(['logtail', ...flags, '-n', '3', ...files]);
      const gnuFlags = flags[0] === '--silent' ? ['-q'] : flags;
      expect(res.stdout.equals(gnu('tail', [...gnuFlags, '-n', '3', ...files]).stdout)).toBe(true);
    }
  });

  it('rejects a bad count with a one-line usage error and exit 2', () => {
    const res = runEsc(['logtail', '-n', 'ten', HDFS_2K]);
    expect(res.status).toBe(2);
    expect(res.stdout.length).toBe(0);
    expect(res.stderr).toMatch(/^esc: invalid number for -n: 'ten'\n$/);
  });
});

describe('esc logread (binary)', () => {
  it('default 10 lines, -n N, --all, standard input', () => {
    expect(runEsc(['logread', HDFS_2K]).stdout.equals(gnu('head', [HDFS_2K]).stdout)).toBe(true);
    expect(runEsc(['logread', '-n', '1500', HDFS_2K]).stdout.equals(gnu('head', ['-n', '1500', HDFS_2K]).stdout)).toBe(
      true,
    );
    expect(runEsc(['logread', '--all', HDFS_2K]).stdout.equals(hdfs())).toBe(true);
    const input = edge.files['invalid-utf8.log']!;
    const bytes = gnu('cat', [input]).stdout;
    expect(runEsc(['logread', '-n', '2'], bytes).stdout.equals(gnu('head', ['-n', '2'], bytes).stdout)).toBe(true);
    expect(runEsc(['logread', '--all', '-'], bytes).stdout.equals(bytes)).toBe(true);
  });

  it('headers for several files, standard input named as head names it, -q', () => {
    const a = edge.files['no-final-newline.log']!;
    const input = Buffer.from('from stdin\n');
    const res = runEsc(['logread', '-n', '2', a, '-', HDFS_2K], input);
    expect(res.stdout.equals(gnu('head', ['-n', '2', a, '-', HDFS_2K], input).stdout)).toBe(true);
    expect(runEsc(['logread', '-q', a, HDFS_2K]).stdout.equals(gnu('head', ['-q', a, HDFS_2K]).stdout)).toBe(true);
  });

  it('-n with --all is a usage error', () => {
    const res = runEsc(['logread', '-n', '3', '--all', HDFS_2K]);
    expect(res.status).toBe(2);
    expect(res.stderr).toBe('esc: -n and --all cannot be used together\n');
  });

  it('`| head` ends quietly with status 0 (logread --all and logtail -n +1 on a 20 MiB file)', () => {
    const big = join(edge.dir, 'big.log');
    const line = Buffer.from('081109 203615 148 INFO dfs.DataNode$PacketResponder: a fairly ordinary log line\n');
    writeFileSync(big, Buffer.concat(Array.from({ length: (20 << 20) / line.length }, () => line)));
    for (const args of ['logread --all', 'logtail -n +1']) {
      const res = spawnSync(
        'bash',
        ['-c', `set -o pipefail; "${process.execPath}" "${ESC_BIN}" ${args} "${big}" | head -n 1`],
        { encoding: 'utf8' },
      );
      expect(res.stderr).toBe('');
      expect(res.status).toBe(0);
      expect(res.stdout).toBe(line.toString());
    }
  });
});
