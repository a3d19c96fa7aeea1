import type { ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { makeTempDir } from '@esc/test-fixtures';
import { ESC_BIN, startChild } from '../run-esc.js';

// Follow mode end to end: the built binary follows a file that a separate writer process appends to,
// rotates (rename + new file) and truncates, step by step on command; every line written must come out
// exactly once, in order. Each run ends through --pid when the writer exits. Short poll intervals keep it fast.

const WRITER = String.raw`
const fs = require('node:fs');
let path = process.argv[1];
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const lines = require('node:readline').createInterface({ input: process.stdin });
(async () => {
  for await (const command of lines) {
    const [op, a, b] = command.split(' ');
    if (op === 'append') {
      for (let i = Number(a); i < Number(a) + Number(b); i++) {
        const text = 'line ' + i + ' ' + 'x'.repeat(i % 37) + (i % 5 === 0 ? '\r\n' : '\n');
        if (i % 7 === 0) {
          // Half a line, a pause, then the rest: the follower must hold the half back.
          fs.appendFileSync(path, text.slice(0, 6));
          await sleep(15);
          fs.appendFileSync(path, text.slice(6));
        } else fs.appendFileSync(path, text);
        if (i % 10 === 0) await sleep(3);
      }
    } else if (op === 'rotate') {
      fs.renameSync(path, path + '.1');
      fs.writeFileSync(path, '');
    } else if (op === 'truncate') {
      fs.truncateSync(path, 0);
    } else if (op === 'partial') {
      fs.appendFileSync(path, a);
    } else if (op === 'switch') {
      path = a;
    } else if (op === 'exit') break;
  }
  process.exit(0);
})();
`;

/** The lines the writer produces for `append start count`. */
function expectedLines(start: number, count: number): string {
  let s = '';
  for (let i = start; i < start + count; i++) s += `line ${i} ${'x'.repeat(i % 37)}${i % 5 === 0 ? '\r\n' : '\n'}`;
  return s;
}

const started: ChildProcess[] = [];
let temp: ReturnType<typeof makeTempDir> | undefined;
afterEach(() => {
  for (const c of started.splice(0)) if (c.exitCode === null) c.kill('SIGKILL');
  temp?.remove();
  temp = undefined;
});
/** A fresh directory for one test, removed after it. */
function testDir(): string {
  temp = makeTempDir('esc-follow');
  return temp.path;
}

function startPair(escArgs: (writerPid: number, path: string) => string[]) {
  const dir = testDir();
  const path = join(dir, 'app.log');
  const writer = startChild(process.execPath, ['-e', WRITER, path]);
  const esc = startChild(process.execPath, [ESC_BIN, 'logtail', ...escArgs(writer.child.pid!, path)]);
  started.push(writer.child, esc.child);
  const send = (command: string) => writer.child.stdin!.write(`${command}\n`);
  return { path, writer, esc, send };
}

describe('esc logtail -f / -F (binary, with a writer process)', () => {
  it('-f prints appended lines exactly once, whole lines only, and stops when --pid exits', async () => {
    const { esc, send } = startPair((pid, p) => {
      writeFileSync(p, expectedLines(0, 30));
      return ['-f', '-s', '0.05', '--pid', String(pid), '-n', '5', p];
    });
    await esc.until(() => esc.stdout().includes('line 29 '), 'the initial tail');
    send('append 30 200');
    await esc.until(() => esc.stdout().includes('line 229 '), 'appended lines');
    send('exit');
    expect(await esc.exit).toBe(0);
    expect(esc.stdout()).toBe(expectedLines(25, 205));
    expect(esc.stderr()).toBe('');
    expect(esc.stdoutPieces.filter((piece) => !piece.endsWith('\n'))).toEqual([]);
  });

  it('-F retries a missing file, follows it across a rotation and a truncation, lines exactly once', async () => {
    const { esc, send } = startPair((pid, p) => ['-F', '-s', '0.05', '--pid', String(pid), p]);
    await esc.until(() => esc.stderr().includes('No such file or directory'), 'the missing-file report');
    send('append 0 40');
    await esc.until(() => esc.stdout().includes('line 39 '), 'lines of the new file');
    send('rotate');
    send('append 40 60');
    await esc.until(() => esc.stdout().includes('line 99 '), 'lines after the rotation');
    send('truncate');
    await esc.until(() => esc.stderr().includes('file truncated'), 'the truncation notice');
    send('append 100 50');
    await esc.until(() => esc.stdout().includes('line 149 '), 'lines after the truncation');
    send('exit');
    const status = await esc.exit;
    expect(esc.stdout()).toBe(expectedLines(0, 150));
    const notices = esc.stderr().trimEnd().split('\n');
    const name = notices[0]!.slice('esc: '.length, notices[0]!.indexOf(': No such'));
    expect(notices[0]).toBe(`esc: ${name}: No such file or directory`);
    expect(notices[1]).toBe(`esc: '${name}' has appeared;  following new file`);
    // Between the rename and the new file the name may briefly be missing, as with GNU tail -F.
    const rotation = notices.slice(2, -1).join('\n');
    expect([
      `esc: '${name}' has been replaced;  following new file`,
      `esc: '${name}' has become inaccessible: No such file or directory\nesc: '${name}' has appeared;  following new file`,
    ]).toContain(rotation);
    expect(notices.at(-1)).toBe(`esc: ${name}: file truncated`);
    // The file could not be opened at first: that is reported in the status, as GNU tail does.
    expect(status).toBe(2);
  });

  it('a held partial line is printed with a newline when its file is rotated, as it is when follow mode ends', async () => {
    const { esc, send } = startPair((pid, p) => {
      writeFileSync(p, '');
      return ['-F', '-s', '0.05', '--pid', String(pid), p];
    });
    // Lines written before esc has opened the file come out in its initial tail (10 lines): still once.
    send('append 0 2');
    await esc.until(() => esc.stdout().includes('line 1 '), 'the first lines');
    send('partial cut-short');
    send('rotate');
    send('append 2 2');
    await esc.until(() => esc.stdout().includes('line 3 '), 'lines of the new file');
    send('partial unfinished');
    send('exit');
    expect(await esc.exit).toBe(0);
    expect(esc.stdout()).toBe(`${expectedLines(0, 2)}cut-short\n${expectedLines(2, 2)}unfinished`);
  });

  it('--pid ends follow mode when that process is killed, even with nothing written', async () => {
    const dir = testDir();
    const path = join(dir, 'quiet.log');
    writeFileSync(path, 'only line\n');
    const sleeper = startChild(process.execPath, ['-e', 'setTimeout(() => {}, 60_000)']);
    const esc = startChild(process.execPath, [
      ESC_BIN,
      'logtail',
      '-f',
      '-s',
      '0.05',
      '--pid',
      String(sleeper.child.pid),
      path,
    ]);
    started.push(sleeper.child, esc.child);
    await esc.until(() => esc.stdout() === 'only line\n', 'the initial tail');
    sleeper.child.kill('SIGKILL');
    expect(await esc.exit).toBe(0);
    expect(esc.stdout()).toBe('only line\n');
  });

  it('several followed files: a header only when the output switches to another file', async () => {
    const dir = testDir();
    const a = join(dir, 'a.log');
    const b = join(dir, 'b.log');
    writeFileSync(a, 'a0\n');
    writeFileSync(b, 'b0\n');
    const writer = startChild(process.execPath, ['-e', WRITER, b]);
    const esc = startChild(process.execPath, [
      ESC_BIN,
      'logtail',
      '-f',
      '-s',
      '0.05',
      '--pid',
      String(writer.child.pid),
      a,
      b,
    ]);
    started.push(writer.child, esc.child);
    await esc.until(() => esc.stdout().includes('b0\n'), 'the initial tails');
    // b was printed last, so its new lines need no header; a's do, and then b's again.
    writer.child.stdin!.write('append 0 3\n');
    await esc.until(() => esc.stdout().includes('line 2 '), 'lines appended to b');
    writer.child.stdin!.write(`switch ${a}\nappend 3 2\n`);
    await esc.until(() => esc.stdout().includes('line 4 '), 'lines appended to a');
    writer.child.stdin!.write(`switch ${b}\nappend 5 1\nexit\n`);
    expect(await esc.exit).toBe(0);
    expect(esc.stdout()).toBe(
      `==> ${a} <==\na0\n\n==> ${b} <==\nb0\n${expectedLines(0, 3)}\n==> ${a} <==\n${expectedLines(3, 2)}\n==> ${b} <==\n${expectedLines(5, 1)}`,
    );
  });
});
