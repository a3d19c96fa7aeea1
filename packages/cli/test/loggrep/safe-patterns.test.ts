import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runEsc } from '../run-esc.js';

// No pattern can hang esc (issue 9): classic catastrophic patterns on the lines that make a backtracking
// engine explode, through the built binary, against GNU grep -E. The bound is the spawn's timeout (a hung
// esc is killed and the case fails), not a timed assertion.

const dir = mkdtempSync(join(tmpdir(), 'esc-safe-patterns-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const LINES = [
  `${'a'.repeat(40)}b`,
  'a'.repeat(40),
  `${'A'.repeat(30)}aB`,
  `${'x'.repeat(40)}!`,
  `${'foo bar '.repeat(12)}!`,
  'aa a aaa b',
  'ab in abba',
  '',
];
const file = join(dir, 'adversarial.log');
writeFileSync(file, `${LINES.join('\n')}\n`);

const CATASTROPHIC = [
  '(a+)+$',
  '(a|a)*$',
  '(a|aa)+$',
  '(.*a){12}$',
  '^(a*)*$',
  '(x+x+)+y',
  '((a+)|b)+c',
  '(\\w+\\s?)+$',
  '(foo|bar|foo bar )+$',
  `${'a?'.repeat(30)}${'a'.repeat(30)}`,
];
const VARIANTS = [['-c'], ['-c', '-i'], ['-o'], ['-c', '-v'], ['-o', '-w'], ['-c', '-x'], ['-n', '-i', '-w']];
const TIMEOUT_MS = 10_000;

function grep(args: string[]) {
  const res = spawnSync('grep', ['-E', ...args, file], { encoding: 'utf8', env: { ...process.env, LC_ALL: 'C' } });
  return { status: res.status, stdout: res.stdout };
}

describe('esc loggrep: catastrophic patterns finish with grep -E answers', () => {
  for (const pattern of CATASTROPHIC) {
    for (const flags of VARIANTS) {
      it(`${flags.join(' ')} '${pattern}'`, () => {
        const args = [...flags, '-e', pattern];
        const esc = runEsc(['loggrep', ...args, file], { timeout: TIMEOUT_MS });
        expect(esc.stderr).toBe('');
        expect({ status: esc.status, stdout: esc.stdout }).toEqual(grep(args));
      });
    }
  }

  it('several patterns at once', () => {
    const args = ['-o', '-e', '(a+)+$', '-e', '(x+x+)+y', '-e', 'b'];
    const esc = runEsc(['loggrep', ...args, file], { timeout: TIMEOUT_MS });
    expect({ status: esc.status, stdout: esc.stdout }).toEqual(grep(args));
  });
});

describe('esc loggrep: patterns only a backtracking engine runs', () => {
  // Backreferences and lookarounds: run when their time is bounded (compared with grep -E or grep -P).
  it.each([
    ['-E', '(a)\\1'],
    ['-E', '(ab|in) \\1'],
    ['-P', 'a(?!a)'],
    ['-P', '(?<=foo )bar'],
  ])('runs grep %s %s', (mode, pattern) => {
    const args = ['-c', '-e', pattern];
    const esc = runEsc(['loggrep', ...args, file], { timeout: TIMEOUT_MS });
    const want = spawnSync('grep', [mode, ...args, file], { encoding: 'utf8', env: { ...process.env, LC_ALL: 'C' } });
    expect({ status: esc.status, stdout: esc.stdout }).toEqual({ status: want.status, stdout: want.stdout });
  });

  // The rest is refused with one line and status 2, never a hang.
  it.each(['(a+)+\\1', '(a|aa)*\\1$', '(?=(a+)+$)a', '(\\w+)\\s+\\1'])('refuses %s', (pattern) => {
    for (const flags of [['-c'], ['-c', '-i'], ['-o', '-w']]) {
      const esc = runEsc(['loggrep', ...flags, '-e', pattern, file], { timeout: TIMEOUT_MS });
      expect(esc.status).toBe(2);
      expect(esc.stdout).toBe('');
      expect(esc.stderr).toMatch(/^esc: pattern '.+' refused: it needs the backtracking engine .+\n$/);
    }
  });
});

describe('esc parse: user regexes run in bounded time', () => {
  it('--regex with a catastrophic named group', () => {
    const esc = runEsc(['parse', '--regex', '^(?<word>(a+)+)$', '--output', 'ndjson', file], { timeout: TIMEOUT_MS });
    expect(esc.status).toBe(0);
    expect(esc.stdout).toBe(`${JSON.stringify({ word: 'a'.repeat(40), timestamp: null })}\n`);
  });

  it('--grep with a catastrophic pattern', () => {
    const esc = runEsc(['parse', '--regex', '^(?<msg>.*)$', '--grep', '(a|aa)+$', '--output', 'ndjson', file], {
      timeout: TIMEOUT_MS,
    });
    expect(esc.status).toBe(0);
    expect(esc.stdout.split('\n').filter(Boolean)).toHaveLength(2);
  });

  it('--regex refused with one line', () => {
    const esc = runEsc(['parse', '--regex', '^(?<w>(a+)+)\\1$', file], { timeout: TIMEOUT_MS });
    expect(esc.status).toBe(2);
    expect(esc.stderr).toMatch(/^esc: .*pattern '\^\(\?<w>\(a\+\)\+\)\\1\$' refused: .+\n$/);
  });
});
