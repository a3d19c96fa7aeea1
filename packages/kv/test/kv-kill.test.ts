import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openKv } from '../src/index.js';
import { tempStore } from '../src/test-helpers/temp-store.js';
import { childEnv } from '../../cli/test/run-esc.js';

const CHILD = new URL('./fixtures/set-loop.mjs', import.meta.url).pathname;

/** Starts the set loop, SIGKILLs it `delayMs` after its first acknowledged set; returns the acknowledged keys. */
function runAndKill(path: string, prefix: string, delayMs: number): Promise<{ acked: string[]; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CHILD, path, prefix], {
      env: childEnv(),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let stderr = '';
    let timer: NodeJS.Timeout | undefined;
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      out += d;
      timer ??= setTimeout(() => child.kill('SIGKILL'), delayMs);
    });
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (_code, signal) => {
      clearTimeout(timer);
      if (signal !== 'SIGKILL') return reject(new Error(`child ended without being killed: ${stderr}`));
      // Only whole lines count: a line cut by the kill was never fully printed.
      const acked = out
        .split('\n')
        .slice(0, -1)
        .map((l) => l.replace(/^OK /, ''));
      resolve({ acked, stderr });
    });
  });
}

// Durability under crashes: a writer is killed at random moments (mid-append, mid-fsync, mid-compaction,
// holding the lock); every set it acknowledged must survive, and the store must always open.
describe('SIGKILL at random moments', () => {
  const store = tempStore();
  beforeAll(() => undefined);
  afterAll(() => store.cleanup());

  it('30 kills: every set that printed OK is present, and the store opens without error', async () => {
    const acked: string[] = [];
    for (let round = 0; round < 30; round++) {
      const r = await runAndKill(store.path, `r${round}`, 10 + Math.floor(Math.random() * 250));
      expect(r.stderr).not.toMatch(/Error|esc:/);
      acked.push(...r.acked);
      const kv = await openKv(store.path, { onWarning: () => undefined });
      const values = await kv.mget(r.acked);
      await kv.close();
      for (const [i, key] of r.acked.entries())
        expect(values[i], `${key} after round ${round}`).toBe(`value-of-${key}`);
    }
    const kv = await openKv(store.path, { onWarning: () => undefined });
    const values = await kv.mget(acked);
    await kv.close();
    expect(values.filter((v, i) => v !== `value-of-${acked[i]}`)).toEqual([]);
    expect(acked.length).toBeGreaterThan(30);
  }, 240_000);
});
