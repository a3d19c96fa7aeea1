import { spawnSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BufferedOutput } from '@esc/core';

export const REPO_ROOT = fileURLToPath(new URL('../../..', import.meta.url));
export const HDFS_2K = join(REPO_ROOT, 'logs/HDFS_2k.log');
export const ESC_BIN = join(REPO_ROOT, 'packages/cli/bin/esc.js');

/**
 * The inputs head/tail differ on in practice, written to a fresh directory: the Loghub HDFS sample (CRLF),
 * the same sample without its final newline, the Apache and OpenSSH Loghub samples (no final newline), an empty file, a file of only newlines, a 16+ MiB line,
 * invalid UTF-8 with NUL bytes, and small files with and without a final newline.
 */
export function makeEdgeFiles(): { dir: string; files: Record<string, string>; cleanup(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'esc-logtail-'));
  const hdfs = readFileSync(HDFS_2K);
  const contents: Record<string, Buffer> = {
    'loghub-no-final-newline.log': hdfs.subarray(0, hdfs.length - 2),
    'empty.log': Buffer.alloc(0),
    'only-newlines.log': Buffer.from('\n'.repeat(57)),
    'no-final-newline.log': Buffer.from('alpha\nbeta\r\ngamma\n\ndelta'),
    'one-char.log': Buffer.from('x'),
    'one-newline.log': Buffer.from('\n'),
    'invalid-utf8.log': Buffer.concat([
      Buffer.from('ok line\n'),
      Buffer.from([0xff, 0xfe, 0x0a, 0xc3, 0x28, 0x00, 0x0a, 0xe2, 0x82, 0x0a, 0x80, 0x80]),
      Buffer.from('\r\nlast \xe9 latin1 line\n', 'latin1'),
    ]),
    'long-line.log': Buffer.concat([
      Buffer.from('first\nsecond\n'),
      Buffer.alloc(16 * 1024 * 1024 + 123, 'y'),
      Buffer.from('\nafter 1\nafter 2'),
    ]),
  };
  // Real Loghub samples without a final newline, shared with the loggrep tests (licence note beside them).
  const loghub = join(REPO_ROOT, 'packages/logtools/test/fixtures/loghub');
  const files: Record<string, string> = {
    'HDFS_2k.log': HDFS_2K,
    'Apache_2k.log': join(loghub, 'Apache_2k.log'),
    'OpenSSH_2k.log': join(loghub, 'OpenSSH_2k.log'),
  };
  for (const [name, data] of Object.entries(contents)) {
    const path = join(dir, name);
    writeFileSync(path, data);
    files[name] = path;
  }
  return { dir, files, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Runs a GNU tool; returns its stdout bytes, stderr and status. */
export function gnu(tool: 'head' | 'tail' | 'cat', args: string[], input?: Buffer) {
  const res = spawnSync(`/usr/bin/${tool}`, args, { input, maxBuffer: 1 << 30 });
  return { stdout: res.stdout, stderr: res.stderr.toString(), status: res.status };
}

/** Runs `fn` with a BufferedOutput writing into a temp file and returns what it wrote. */
export async function captureOutput(dir: string, fn: (out: BufferedOutput) => Promise<unknown>): Promise<Buffer> {
  const path = join(dir, `out-${process.pid}-${Math.random().toString(36).slice(2)}`);
  const fd = openSync(path, 'w');
  try {
    await fn(new BufferedOutput(fd));
  } finally {
    closeSync(fd);
  }
  const data = readFileSync(path);
  rmSync(path);
  return data;
}

/** Runs the built esc binary with `args` (and stdin `input`); stdout as bytes. */
export function runEsc(args: string[], input?: Buffer | string) {
  const res = spawnSync(process.execPath, [ESC_BIN, ...args], {
    input,
    cwd: REPO_ROOT,
    maxBuffer: 1 << 30,
    env: { ...process.env, NO_COLOR: '1' },
  });
  return { stdout: res.stdout, stderr: res.stderr.toString(), status: res.status };
}

/** Header cases for head and tail: several files, a missing one among them, -q, -v, the same file twice. */
export function headerCases(
  files: Record<string, string>,
  missing: string,
): [string[], 'auto' | 'never' | 'always', string[]][] {
  const a = files['no-final-newline.log']!;
  const b = files['HDFS_2k.log']!;
  const e = files['empty.log']!;
  return [
    [[a, b, e], 'auto', []],
    [[e, a], 'auto', []],
    [[a, missing, b], 'auto', []],
    [[missing, a, b], 'auto', []],
    [[a, b], 'never', ['-q']],
    [[a], 'always', ['-v']],
    [[a, a], 'auto', []],
  ];
}
