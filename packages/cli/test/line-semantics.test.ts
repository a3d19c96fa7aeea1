import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '@esc/test-fixtures';
import { childEnv, ESC_BIN, expectSameBytes, REPO_ROOT, runEscBytes } from './run-esc.js';

// One suite for the line semantics every tool shares (issue 2, "Shared behaviour"): CRLF, a last line without
// a newline, a line over 16 MiB, invalid UTF-8 and binary data, through logread, logtail, loggrep and parse,
// from a file and from standard input. Into a pipe the log tools are byte-exact against GNU head, tail and
// grep; on a terminal invalid UTF-8 shows as U+FFFD; parse always decodes (U+FFFD) and drops the `\r`.

const dir = tempDir('esc-line-semantics');

const LONG = 17 * 1024 * 1024;
const CASES: Record<string, Buffer> = {
  crlf: Buffer.from('one\r\ntwo\r\n\r\nthree\r\n'),
  'no-final-newline': Buffer.from('one\ntwo\nthree'),
  'long-line': Buffer.concat([Buffer.from('start\n'), Buffer.alloc(LONG, 'y'), Buffer.from('\nend')]),
  'invalid-utf8': Buffer.from([
    ...Buffer.from('caf'),
    0xe9,
    10,
    0xff,
    0xfe,
    0x20,
    0x6f,
    0x6b,
    10,
    0xe2,
    0x82,
    10,
    ...Buffer.from('€ fine\n'),
  ]),
  binary: Buffer.from('text\nnul\0here\nmore\n'),
};
const paths = Object.fromEntries(
  Object.entries(CASES).map(([name, bytes]) => {
    const path = join(dir, `${name}.log`);
    writeFileSync(path, bytes);
    return [name, path];
  }),
);

const C_LOCALE = childEnv({ LC_ALL: 'C', NO_COLOR: '1', FORCE_COLOR: undefined });

/** The GNU tool, the reference. */
function run(command: string, args: string[], input?: Buffer) {
  const res = spawnSync(command, args, { cwd: REPO_ROOT, env: C_LOCALE, input, maxBuffer: 64 << 20 });
  return { status: res.status, stdout: res.stdout, stderr: res.stderr.toString('utf8') };
}
const esc = (args: string[], input?: Buffer) => runEscBytes(args, { input, env: { LC_ALL: 'C' } });

/** The lines parse must give: split on `\n`, one `\r` before it dropped, a last line without newline kept. */
function expectedLines(bytes: Buffer): string[] {
  const lines = bytes.toString('utf8').split('\n');
  if (lines.at(-1) === '') lines.pop();
  return lines.map((line) => line.replace(/\r$/, ''));
}

describe.each(Object.keys(CASES))('line semantics: %s', (name) => {
  const path = () => paths[name]!;
  const bytes = CASES[name]!;

  it('logread passes the bytes through as head does (file and standard input)', () => {
    expectSameBytes(esc(['logread', '--all', path()]).stdout, bytes);
    for (const n of ['1', '2', '3']) {
      expectSameBytes(esc(['logread', '-n', n, path()]).stdout, run('head', ['-n', n, path()]).stdout);
      expectSameBytes(esc(['logread', '-n', n], bytes).stdout, run('head', ['-n', n], bytes).stdout);
    }
  });

  it('logtail gives the bytes tail gives (backwards from a file, and through the ring from a pipe)', () => {
    for (const n of ['1', '2', '+2']) {
      const gnu = run('tail', ['-n', n, path()]).stdout;
      expectSameBytes(esc(['logtail', '-n', n, path()]).stdout, gnu);
      expectSameBytes(esc(['logtail', '-n', n], bytes).stdout, gnu);
    }
  });

  it('loggrep gives what grep gives, binary-file report included', () => {
    for (const args of [
      ['-e', ''],
      ['-n', 'e'],
      ['-c', ''],
    ]) {
      const gnu = run('grep', [...args, path()]);
      const ours = esc(['loggrep', ...args, path()]);
      expectSameBytes(ours.stdout, gnu.stdout);
      expect(ours.stderr.replace(/^esc:/gm, 'grep:')).toBe(gnu.stderr);
      expect(ours.status).toBe(gnu.status);
      expectSameBytes(esc(['loggrep', ...args], bytes).stdout, run('grep', args, bytes).stdout);
    }
  });

  it('parse reads the same lines: CR dropped, invalid UTF-8 as U+FFFD, never a crash', () => {
    const args = ['--regex', '^(?<line>.*)$', '--max-line-length', String(LONG + 1)];
    for (const res of [esc(['parse', path(), ...args]), esc(['parse', '-', ...args], bytes)]) {
      expect(res.status).toBe(0);
      const lines = res.stdout
        .toString('utf8')
        .trimEnd()
        .split('\n')
        .map((json) => (JSON.parse(json) as { line: string }).line);
      expect(lines).toEqual(expectedLines(bytes));
    }
  });
});

describe('line semantics on a terminal (run under script(1))', () => {
  /** What a terminal shows: the bytes with invalid UTF-8 replaced, and the pty's `\r\n` for `\n` undone. */
  function underTerminal(args: string[]): string {
    const res = spawnSync('script', ['-qec', [process.execPath, ESC_BIN, ...args].join(' '), '/dev/null'], {
      cwd: REPO_ROOT,
      env: C_LOCALE,
    });
    expect(res.status).toBe(0);
    return res.stdout.toString('utf8').replace(/\r\n/g, '\n');
  }
  const shown = CASES['invalid-utf8']!.toString('utf8');

  it('logread, logtail and loggrep show invalid UTF-8 as U+FFFD (a pipe gets the raw bytes, above)', () => {
    const path = paths['invalid-utf8']!;
    expect(underTerminal(['logread', '--all', path])).toBe(shown);
    expect(underTerminal(['logtail', '-n', '2', path])).toBe(shown.split('\n').slice(-3).join('\n'));
    expect(underTerminal(['loggrep', '-e', "''", path])).toBe(shown);
  });
});
