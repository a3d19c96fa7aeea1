import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeGrepFixtures } from '@esc/test-fixtures';
import { childEnv, ESC_BIN, runBytes, runShell } from '../run-esc.js';

// The built binary as users run it: operand order, exit codes, pipes that close early, --stats, --json
// and colour. Needs `pnpm build` first.

let fixtures: ReturnType<typeof makeGrepFixtures>;
beforeAll(() => {
  fixtures = makeGrepFixtures();
});
afterAll(() => fixtures.cleanup());

/** Bytes compared as C-locale tools do; no colour variables unless a test sets them. */
const cleanEnv = (): NodeJS.ProcessEnv => ({
  LC_ALL: 'C',
  FORCE_COLOR: undefined,
  NO_COLOR: undefined,
  GREP_COLORS: undefined,
});
const esc = (args: string[], env: NodeJS.ProcessEnv = cleanEnv(), input?: Buffer) =>
  runBytes(process.execPath, [ESC_BIN, 'loggrep', ...args], { cwd: fixtures.dir, env, input });
const grep = (args: string[], env = cleanEnv()) =>
  spawnSync('/usr/bin/grep', args, { cwd: fixtures.dir, env: childEnv(env) });
const shell = (script: string) => runShell(script, { cwd: fixtures.dir, env: cleanEnv() });

describe('operands and exit status', () => {
  it('accepts the original FILE PATTERN order and grep order alike', async () => {
    const original = await esc(['HDFS_2k.log', 'WARN']);
    const grepOrder = await esc(['WARN', 'HDFS_2k.log']);
    expect(original.code).toBe(0);
    expect(original.stdout).toEqual(grep(['WARN', 'HDFS_2k.log']).stdout);
    expect(grepOrder.stdout).toEqual(original.stdout);
    // Both operands are files: grep's reading (the pattern is the first), so 'lf.log' is searched for in crlf.log.
    const both = await esc(['-c', 'lf.log', 'crlf.log']);
    expect(both.stdout.toString()).toBe('0\n');
    expect(both.code).toBe(1);
    // With -e every operand is a file.
    const withE = await esc(['-c', '-e', 'ERROR', 'lf.log', 'crlf.log']);
    expect(withE.stdout.toString()).toBe(grep(['-c', '-e', 'ERROR', 'lf.log', 'crlf.log']).stdout.toString());
  });

  it('exits 1 when nothing is selected, 2 on a missing file, a directory, a bad pattern or no pattern', async () => {
    expect((await esc(['NOTHING-LIKE-THIS', 'lf.log'])).code).toBe(1);
    const missing = await esc(['ERROR', 'nope.log']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toBe('esc: nope.log: No such file or directory\n');
    // The original order with a missing file names the file, not the pattern.
    const missingFirst = await esc(['logs/x.log', 'ERROR', '--stats']);
    expect([missingFirst.code, missingFirst.stderr.split('\n')[0]]).toEqual([
      2,
      'esc: logs/x.log: No such file or directory',
    ]);
    const dir = await esc(['ERROR', '.']);
    expect([dir.code, dir.stderr]).toEqual([2, 'esc: .: Is a directory\n']);
    const bad = await esc(['-e', 'a(b', 'lf.log']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/^esc: invalid regular expression 'a\(b': .+\n$/);
    expect(bad.stdout.length).toBe(0);
    const none = await esc([]);
    expect(none.code).toBe(2);
    expect(none.stderr.split('\n')[0]).toMatch(/^esc: loggrep: no pattern given/);
    const badNumber = await esc(['-m', 'x', 'ERROR', 'lf.log']);
    expect(badNumber.code).toBe(2);
  });

  it('ends quietly with status 0 when the reader closes the pipe, and stops reading', () => {
    // A 40 MB file: esc must neither complain about EPIPE nor fail.
    const big = join(fixtures.dir, 'big.log');
    writeFileSync(big, readFileSync(join(fixtures.dir, 'HDFS_2k.log')).toString('latin1').repeat(140), 'latin1');
    const res = shell('$ESC loggrep -n INFO big.log | head -1');
    expect(res.stdout).toMatch(/^1:081109 203615 148 INFO [^\n]*\n$/);
    expect([res.stderr, res.status]).toEqual(['', 0]);
    // biome-ignore lint/suspicious/noTemplateCurlyInString: a bash expansion, in single quotes on purpose
    const status = shell('$ESC loggrep -n INFO big.log | head -1 >/dev/null; echo "${PIPESTATUS[0]}"');
    expect([status.stdout, status.stderr]).toEqual(['0\n', '']);
    // Endless input: only stopping at the closed pipe, at -m or at -q lets these commands finish at all.
    // biome-ignore lint/suspicious/noTemplateCurlyInString: a bash expansion, in single quotes on purpose
    const head = shell('yes "ERROR endless" | $ESC loggrep ERROR | head -2; echo "status ${PIPESTATUS[1]}" >&2');
    expect([head.stdout, head.stderr]).toEqual(['ERROR endless\nERROR endless\n', 'status 0\n']);
    // biome-ignore lint/suspicious/noTemplateCurlyInString: a bash expansion, in single quotes on purpose
    const max = shell('yes "ERROR endless" | $ESC loggrep -c -m 3 ERROR; echo "status ${PIPESTATUS[1]}"');
    expect(max.stdout).toBe('3\nstatus 0\n');
    // biome-ignore lint/suspicious/noTemplateCurlyInString: a bash expansion, in single quotes on purpose
    const quiet = shell('yes "ERROR endless" | $ESC loggrep -q ERROR; echo "status ${PIPESTATUS[1]}"');
    expect(quiet.stdout).toBe('status 0\n');
  });
});

describe('--stats', () => {
  it('keeps the original line and adds bytes, time, throughput and the level histogram', async () => {
    const res = await esc(['lf.log', 'disk|slow', '--stats']);
    const text = res.stdout.toString();
    const lines = text.split('\n');
    const total = 300;
    const selected = Number(grep(['-c', '-E', 'disk|slow', 'lf.log']).stdout.toString());
    const errors = Number(grep(['-c', 'ERROR', 'lf.log']).stdout.toString());
    expect(lines.slice(0, selected).join('\n')).toBe(grep(['-E', 'disk|slow', 'lf.log']).stdout.toString().trimEnd());
    const stats = lines.slice(selected);
    expect(stats[0]).toBe(`Stats: ${selected}/${total} lines matched (${((selected / total) * 100).toFixed(2)}%)`);
    const size = readFileSync(join(fixtures.dir, 'lf.log')).length;
    expect(stats[1]).toMatch(
      new RegExp(`^Searched: ${(size / 1024).toFixed(1)} KiB in 1 file, [0-9.]+ (ms|s), [0-9.]+ [KMG]?i?B/s$`),
    );
    expect(stats[2]).toBe(
      `Levels: WARN ${selected - errors} (${(((selected - errors) / selected) * 100).toFixed(2)}%), ERROR ${errors} (${((errors / selected) * 100).toFixed(2)}%)`,
    );
    expect(res.code).toBe(0);
  });

  it('counts over several files and reads the levels of Apache and HDFS logs', async () => {
    const res = await esc(['-c', '--stats', '-e', 'error|WARN', 'Apache_2k.log', 'HDFS_2k.log']);
    const out = res.stdout.toString().split('\n');
    const apache = Number(grep(['-c', '-E', 'error|WARN', 'Apache_2k.log']).stdout);
    const hdfs = Number(grep(['-c', '-E', 'error|WARN', 'HDFS_2k.log']).stdout);
    expect(out.slice(0, 2)).toEqual([`Apache_2k.log:${apache}`, `HDFS_2k.log:${hdfs}`]);
    expect(out[2]).toBe(`Stats: ${apache + hdfs}/4000 lines matched (${(((apache + hdfs) / 4000) * 100).toFixed(2)}%)`);
    expect(out[4]).toMatch(/^Levels: ERROR \d+ \(/);
    expect(out[4]).toContain(`WARN ${Number(grep(['-c', 'WARN', 'HDFS_2k.log']).stdout)} (`);
  });
});

describe('--json', () => {
  it('prints NDJSON matches with file, line number, text and byte ranges, then the stats', async () => {
    const res = await esc(['--json', '--stats', '-e', 'ERROR|caf', 'invalid-utf8.log', 'no-final-newline.log']);
    const records = res.stdout
      .toString()
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    const numbered = grep(['-n', '-H', '-E', 'ERROR|caf', 'invalid-utf8.log', 'no-final-newline.log'])
      .stdout.toString('latin1')
      .trimEnd()
      .split('\n');
    const matches = records.filter((r) => r.type === 'match');
    expect(matches.map((r) => `${r.file}:${r.line}`)).toEqual(numbered.map((l) => l.split(':').slice(0, 2).join(':')));
    // Invalid UTF-8 becomes U+FFFD in JSON text (and only there); ranges are byte offsets into the line.
    expect(matches[1]).toEqual({
      type: 'match',
      file: 'invalid-utf8.log',
      line: 2,
      text: '\ufffd\ufffdERROR',
      matches: [{ start: 2, end: 7, text: 'ERROR' }],
    });
    expect(matches[2]!.text).toBe('last \ufffd latin1 ERROR line');
    expect(matches[3]).toMatchObject({
      text: 'café ERROR utf8',
      matches: [
        { start: 0, end: 3, text: 'caf' },
        { start: 6, end: 11, text: 'ERROR' },
      ],
    });
    // CRLF: the \r is not part of the text.
    expect(records.filter((r) => String(r.text).includes('\r'))).toEqual([]);
    const stats = records[records.length - 1]!;
    expect(stats).toMatchObject({
      type: 'stats',
      files: 2,
      lines: 12,
      matched: 7,
      bytes: expect.any(Number),
      levels: { ERROR: 7 },
    });
    expect(matches).toHaveLength(7);
  });

  it('prints counts and context records', async () => {
    const counts = await esc(['--json', '-c', 'ERROR', 'lf.log', 'crlf.log']);
    expect(counts.stdout.toString()).toBe(
      ['lf.log', 'crlf.log'].map((file) => `${JSON.stringify({ type: 'count', file, count: 43 })}\n`).join(''),
    );
    const context = await esc(['--json', '-A', '1', '-m', '1', 'ERROR', 'lf.log']);
    expect(
      context.stdout
        .toString()
        .trimEnd()
        .split('\n')
        .map((l) => JSON.parse(l)),
    ).toEqual([
      {
        type: 'match',
        file: 'lf.log',
        line: 1,
        text: 'line 0 ERROR disk full id=0',
        matches: [{ start: 7, end: 12, text: 'ERROR' }],
      },
      { type: 'context', file: 'lf.log', line: 2, text: 'line 1 INFO ok id=37', matches: [] },
    ]);
  });
});

describe('colour', () => {
  const args = ['-n', '-H', 'disk', 'lf.log'];
  const coloured = () => grep(['--color=always', ...args]).stdout.toString();
  const plain = () => grep(args).stdout.toString();

  it('follows --color, NO_COLOR and FORCE_COLOR, and is off into a pipe by default', async () => {
    expect(coloured()).toContain('\x1b[01;31m\x1b[Kdisk\x1b[m\x1b[K');
    expect((await esc(args)).stdout.toString()).toBe(plain());
    expect((await esc(args, { ...cleanEnv(), FORCE_COLOR: '1' })).stdout.toString()).toBe(coloured());
    expect((await esc(args, { ...cleanEnv(), FORCE_COLOR: '1', NO_COLOR: '1' })).stdout.toString()).toBe(plain());
    expect((await esc(['--color=never', ...args], { ...cleanEnv(), FORCE_COLOR: '1' })).stdout.toString()).toBe(
      plain(),
    );
    expect((await esc(['--color=always', ...args], { ...cleanEnv(), NO_COLOR: '1' })).stdout.toString()).toBe(
      coloured(),
    );
    expect((await esc(['--color', ...args], { ...cleanEnv(), FORCE_COLOR: '1' })).stdout.toString()).toBe(coloured());
    // Bare --color takes no value, as in grep: the next word is the pattern.
    expect(
      (await esc(['--color', 'disk', '-n', '-H', 'lf.log'], { ...cleanEnv(), FORCE_COLOR: '1' })).stdout.toString(),
    ).toBe(coloured());
    const bad = await esc(['--color=sometimes', ...args]);
    expect([bad.code, bad.stderr]).toEqual([2, "esc: invalid --color value 'sometimes' (use auto, always or never)\n"]);
  });

  it('reads GREP_COLORS as grep does', async () => {
    const env = { ...cleanEnv(), GREP_COLORS: 'mt=01;33:fn=34:ne' };
    const want = grep(['--color=always', ...args], env).stdout.toString();
    expect(want).toContain('\x1b[01;33mdisk');
    expect((await esc(['--color=always', ...args], env)).stdout.toString()).toBe(want);
  });
});

describe('binary files', () => {
  it('reports "binary file matches" on stderr as GNU grep 3.8 does, and -a prints the lines', async () => {
    const res = await esc(['ERROR', 'binary-early.bin']);
    expect([res.stdout.toString(), res.stderr, res.code]).toEqual([
      '',
      'esc: binary-early.bin: binary file matches\n',
      0,
    ]);
    const text = await esc(['-a', 'nul', 'binary-early.bin']);
    expect(text.stdout.toString('latin1')).toBe('nul \0 here\n');
  });
});

describe('-f FILE: patterns read from a file, as grep -f', () => {
  const cases: { name: string; patterns: string; args: string[] }[] = [
    { name: 'two patterns', patterns: 'WARN\nblk_-?[0-9]+ of size 67\n', args: ['-c'] },
    { name: 'with -e as well', patterns: 'WARN\n', args: ['-n', '-e', 'Verification'] },
    { name: '-o over the file patterns', patterns: 'blk_-?[0-9]+\nsize [0-9]+\n', args: ['-o'] },
    { name: 'no final newline', patterns: 'WARN\nServed', args: ['-c'] },
    { name: 'an empty file selects nothing', patterns: '', args: ['-c'] },
    { name: 'an empty file with -v selects every line', patterns: '', args: ['-c', '-v'] },
  ];
  for (const c of cases) {
    it(c.name, async () => {
      writeFileSync(join(fixtures.dir, 'patterns.txt'), c.patterns);
      const args = [...c.args, '-f', 'patterns.txt', 'HDFS_2k.log'];
      const ours = await esc(args);
      const theirs = grep(['-E', ...args]);
      expect(ours.stdout.toString()).toBe(theirs.stdout.toString());
      expect(ours.code).toBe(theirs.status);
    });
  }

  it('a missing pattern file is one line naming it, status 2', async () => {
    const res = await esc(['-c', '-f', 'no-such-patterns.txt', 'HDFS_2k.log']);
    expect(res.stderr.toString()).toBe('esc: no-such-patterns.txt: No such file or directory\n');
    expect(res.code).toBe(2);
  });
});
