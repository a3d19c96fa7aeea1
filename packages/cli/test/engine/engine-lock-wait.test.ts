import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ESC_BIN, REPO_ROOT, runEsc } from '../run-esc.js';

interface Finished {
  status: number | null;
  stderr: string;
  ms: number;
}

function escAsync(args: string[]): { done: Promise<Finished>; kill: () => void; pid: number | undefined } {
  const started = Date.now();
  const child = spawn(process.execPath, [ESC_BIN, ...args], {
    cwd: REPO_ROOT,
    env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: undefined },
    stdio: ['pipe', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const done = new Promise<Finished>((resolve) =>
    child.on('close', (status) => resolve({ status, stderr, ms: Date.now() - started })),
  );
  return { done, kill: () => child.stdin.end(), pid: child.pid };
}

describe('esc engine waits for a database another process has open', () => {
  const dirs: string[] = [];
  const holders: (() => void)[] = [];
  afterEach(() => {
    for (const stop of holders.splice(0)) stop();
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });
  const tempDb = () => {
    const d = mkdtempSync(join(tmpdir(), 'esc-engine-lock-'));
    dirs.push(d);
    return join(d, 'db');
  };

  it('eight puts started together all succeed, and all eight keys are there', async () => {
    const db = tempDb();
    const runs = Array.from({ length: 8 }, (_, i) => escAsync(['engine', 'put', db, `key${i}`, `value${i}`]).done);
    const results = await Promise.all(runs);
    expect(results.map((r) => [r.status, r.stderr])).toEqual(results.map(() => [0, '']));
    const scan = runEsc(['engine', 'scan', db]);
    expect(scan.status).toBe(0);
    expect(scan.stdout).toBe(Array.from({ length: 8 }, (_, i) => `key${i}\tvalue${i}\n`).join(''));
  }, 60_000);

  it('a holder that keeps the lock past --lock-timeout makes the waiter fail with the lock error', async () => {
    const db = tempDb();
    const holder = escAsync(['engine', 'shell', db]);
    holders.push(holder.kill);
    const since = Date.now();
    while (!existsSync(join(db, 'LOCK'))) {
      if (Date.now() - since > 10_000) throw new Error('the holder never took the lock');
      await new Promise((r) => setTimeout(r, 20));
    }
    const waiter = await escAsync(['engine', 'put', db, 'k', 'v', '--lock-timeout', '1']).done;
    expect(waiter.status).toBe(2);
    expect(waiter.stderr).toBe(`esc: ${join(db, 'LOCK')}: database is locked by process ${holder.pid}\n`);
    // One second of waiting plus a Node start-up (slow on a loaded machine), not the 10 s default.
    expect(waiter.ms).toBeGreaterThanOrEqual(1000);
    expect(waiter.ms).toBeLessThan(6000);
    const immediate = await escAsync(['engine', 'get', db, 'k', '--lock-timeout', '0']).done;
    expect(immediate.status).toBe(2);
    expect(immediate.ms).toBeLessThan(waiter.ms);
    holder.kill();
    expect((await holder.done).status).toBe(0);
  }, 60_000);
});
