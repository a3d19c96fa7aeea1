import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeGrepFixtures } from '@esc/test-fixtures';
import { runEsc } from '../run-esc.js';

// End-to-end: `esc archive grep` against `esc loggrep` on the archived files (`pnpm build` first).
let fixtures: { dir: string; cleanup(): void };
let files: string[];
beforeAll(() => {
  fixtures = makeGrepFixtures();
  files = readdirSync(fixtures.dir).sort();
  // Small blocks: pruning skips some and decodes others.
  const created = runEsc(['archive', 'create', ...files, '-o', 'all.esca', '--block-size', '16384', '--level', '5'], {
    cwd: fixtures.dir,
  });
  expect(created.stderr).toBe('');
});
afterAll(() => fixtures.cleanup());

const TABLE: string[][] = [
  ['-c', 'ERROR'],
  ['ERROR'],
  ['-n', 'blk_'],
  ['-c', '-i', 'packetresponder'],
  ['-c', '-v', 'INFO'],
  ['-n', '-v', 'o'],
  ['-c', '-F', 'a.b'],
  ['-F', '-n', '10.251.'],
  ['-c', '-w', 'ok'],
  ['-w', '-n', 'sshd'],
  ['-c', '-e', 'ERROR', '-e', 'WARN'],
  ['-n', '-e', 'Failed password', '-e', 'Invalid user'],
  ['-o', '-n', '[0-9]+ ms'],
  ['-c', '^$'],
  ['-x', '-n', 'x'],
  ['-A', '1', '-n', 'disk full'],
  ['-C', '2', 'ERROR at'],
  ['-c', 'no such text anywhere'],
  ['-l', 'ERROR'],
  ['-q', 'ERROR'],
  ['-m', '2', '-n', 'ERROR'],
  ['-c', '-i', 'Caf\u00e9'],
  ['-n', 'yyyy'],
  // Output without line text (-c, -l, -L, -q): lines are tallied by their template where its text decides.
  ['-c', 'ERROR disk full'],
  ['-c', 'full id=1'],
  ['-c', 'line 7 ERROR'],
  ['-c', 'Transmitted'],
  ['-c', '-v', 'disk full'],
  ['-c', '-v', 'id=1'],
  ['-c', '-v', '-m', '3', 'ERROR'],
  ['-c', '-m', '5', 'INFO ok'],
  ['-c', '-i', 'error DISK'],
  ['-c', '-i', '-v', 'warn'],
  ['-c', '-w', 'full'],
  ['-c', '-w', 'ful'],
  ['-c', '-w', 'id'],
  ['-c', '-w', 'id='],
  ['-c', '-w', '-F', 'full id='],
  ['-c', '-w', '-e', 'line', '-e', 'slow'],
  ['-c', '-x', 'beta'],
  ['-c', '-x', 'gamma ERROR'],
  ['-c', '-x', '-F', 'x'],
  ['-c', '^line'],
  ['-c', '^ERROR'],
  ['-c', '-x', 'line'],
  ['-c', 'INFO ok id=$'],
  ['-c', '^line [0-9]+ INFO'],
  ['-c', 'slow id=[0-9]*$'],
  ['-c', 'ERROR$'],
  ['-c', '\\bok\\b'],
  ['-c', '(?<=INFO )ok'],
  ['-c', '-e', 'disk', '-e', 'id=11'],
  ['-c', '-F', 'blk_-'],
  ['-c', 'latin1 ERROR'],
  ['-c', ''],
  ['-c', '-v', ''],
  ['-l', 'WARN slow'],
  ['-L', 'WARN slow'],
  ['-q', 'no such'],
  ['-q', '-v', 'x'],
  // grep's shorthands, rewritten before the subcommand parses them: -NUM is -C NUM, a bare --color takes no value.
  ['-2', '-n', 'disk full'],
  ['--color', '-c', 'ERROR'],
  ['--color=always', '-n', 'WARN slow'],
];

describe('esc archive grep', () => {
  it.each(TABLE)('agrees with esc loggrep on the originals: %s %s %s %s', (...args) => {
    const want = runEsc(['loggrep', ...args, ...files], { cwd: fixtures.dir });
    const got = runEsc(['archive', 'grep', ...args, 'all.esca'], { cwd: fixtures.dir });
    expect(got.stderr).toBe(want.stderr);
    expect(got.stdout).toBe(want.stdout);
    expect(got.status).toBe(want.status);
  });

  it('reports a missing archive like a missing file', () => {
    const res = runEsc(['archive', 'grep', 'x', join(fixtures.dir, 'nope.esca')]);
    expect(res.status).toBe(2);
    expect(res.stderr).toBe(`esc: ${join(fixtures.dir, 'nope.esca')}: No such file or directory\n`);
  });
});
