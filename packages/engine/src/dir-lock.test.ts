import { spawn } from 'node:child_process';
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { useTempDirs } from './test-helpers/temp-dirs.js';

const tempDir = useTempDirs('lock');

const contender = join(dirname(fileURLToPath(import.meta.url)), '..', 'test', 'lock-contender.ts');
const PROCESSES = 6;
const ROUNDS = 15;
const PERIOD = 250;
const HOLD = 80;

interface Hold {
  round: number;
  pid: number;
  from: number;
  to: number;
}

function run(dir: string, start: number): Promise<Hold[]> {
  return new Promise((resolve, reject) => {
    const p = spawn(
      process.execPath,
      ['--import', 'tsx', contender, dir, String(start), String(ROUNDS), String(PERIOD), String(HOLD)],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let out = '';
    let err = '';
    p.stdout.on('data', (d: Buffer) => (out += d.toString()));
    p.stderr.on('data', (d: Buffer) => (err += d.toString()));
    p.on('error', reject);
    p.on('exit', (code) =>
      code === 0
        ? resolve(
            out
              .split('\n')
              .filter(Boolean)
              .map((l) => JSON.parse(l) as Hold),
          )
        : reject(new Error(`contender exited ${code}: ${err}`)),
    );
  });
}

/** Six processes try to open the same directory at the same instant, round after round. */
async function contend(prepare: (roundDir: string) => void): Promise<Hold[][]> {
  const dir = tempDir();
  for (let r = 0; r < ROUNDS; r++) {
    mkdirSync(join(dir, String(r)));
    prepare(join(dir, String(r)));
  }
  // Start after every contender has loaded (tsx start-up on a busy 2-core machine).
  const start = Date.now() + 4000;
  const holds = (await Promise.all(Array.from({ length: PROCESSES }, () => run(dir, start)))).flat();
  for (let r = 0; r < ROUNDS; r++) expect(readdirSync(join(dir, String(r)))).toEqual([]);
  return Array.from({ length: ROUNDS }, (_, r) => holds.filter((h) => h.round === r).sort((a, b) => a.from - b.from));
}

function expectOneHolderAtATime(rounds: Hold[][]): void {
  for (const holds of rounds) {
    expect(holds.length).toBeGreaterThanOrEqual(1);
    for (let i = 1; i < holds.length; i++)
      expect(holds[i]!.from, `round ${holds[i]!.round}: two holders at once`).toBeGreaterThanOrEqual(holds[i - 1]!.to);
  }
}

describe('directory lock under contention', () => {
  it('never lets two processes hold a fresh directory at once', async () => {
    expectOneHolderAtATime(await contend(() => {}));
  });

  it('never lets two processes both take over the same stale lock', async () => {
    // A LOCK naming pid 2^22 + 1, above Linux's pid_max: a holder that cannot be running.
    expectOneHolderAtATime(await contend((d) => writeFileSync(join(d, 'LOCK'), `${2 ** 22 + 1} 1\n`)));
  });
});
