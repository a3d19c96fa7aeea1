import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { open } from './index.js';

/**
 * A real child process writes with sync 'always' and is killed with SIGKILL at a random moment, 30 times
 * over the same directory. After each kill the directory must open (never fails, the dead child's lock is
 * taken over), every batch the child acknowledged must be there, the one batch per writer that may have
 * been in flight must be all there or not at all, nothing else may appear, and every earlier round's data
 * must be unchanged.
 */

const here = dirname(fileURLToPath(import.meta.url));
const child = join(here, '..', 'test', 'crash-writer.ts');
const ROUNDS = 30;
const WRITERS = 4;

interface Round {
  acked: number[]; // last acknowledged batch per writer, -1 if none
}

function runChild(dir: string, round: number, killAfterMs: number): Promise<Round> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, ['--import', 'tsx', child, dir, String(round), String(WRITERS)], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const acked = new Array<number>(WRITERS).fill(-1);
    let buf = '';
    let stderr = '';
    let timer: NodeJS.Timeout | undefined;
    p.stdout.setEncoding('utf8');
    p.stdout.on('data', (chunk: string) => {
      buf += chunk;
      let nl: number;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        if (line === 'ready') {
          timer = setTimeout(() => p.kill('SIGKILL'), killAfterMs);
          continue;
        }
        const [w, i] = line.split(' ').map(Number);
        acked[w!] = Math.max(acked[w!]!, i!);
      }
    });
    p.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    p.on('error', reject);
    // 'exit' comes after the kernel has reaped the child, so its lock holder is really gone.
    p.on('exit', (code, signal) => {
      clearTimeout(timer);
      if (signal !== 'SIGKILL') reject(new Error(`child ended on its own (code ${code}): ${stderr}`));
      else resolve({ acked });
    });
  });
}

/** The keys batch i of writer w in round r writes, as crash-writer.ts does. */
function batchKeys(r: number, w: number, i: number): Map<string, string> {
  const m = new Map<string, string>();
  for (let j = 0; j < 1 + (i % 4); j++) m.set(`r${r}w${w}b${i}:${j}`, `${i}:${j}:${'p'.repeat(60)}`);
  return m;
}

/** State after writer w applied batches 0..last. */
function stateAfter(r: number, w: number, last: number): Map<string, string> {
  const m = new Map<string, string>();
  for (let i = 0; i <= last; i++) {
    for (const [k, v] of batchKeys(r, w, i)) m.set(k, v);
    if (i >= 5) m.delete(`r${r}w${w}b${i - 5}:0`);
  }
  return m;
}

function sameMap(a: Map<string, string>, b: Map<string, string>): boolean {
  if (a.size !== b.size) return false;
  for (const [k, v] of a) if (b.get(k) !== v) return false;
  return true;
}

describe('crash recovery (SIGKILL during writes, flushes and compactions)', () => {
  it(`keeps every acknowledged batch and never half-applies one, over ${ROUNDS} kills`, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'esc-engine-crash-'));
    let model = new Map<string, string>();
    let totalAcked = 0;
    let compactionsSeen = 0;
    try {
      for (let r = 0; r < ROUNDS; r++) {
        const { acked } = await runChild(dir, r, 20 + Math.floor(Math.random() * 300));
        const db = await open(dir);
        try {
          const actual = new Map<string, string>();
          for await (const [k, v] of db.iterator()) actual.set(k.toString(), v.toString());
          const next = new Map(model);
          for (let w = 0; w < WRITERS; w++) {
            const prefix = `r${r}w${w}b`;
            const mine = new Map([...actual].filter(([k]) => k.startsWith(prefix)));
            const without = stateAfter(r, w, acked[w]!);
            const withNext = stateAfter(r, w, acked[w]! + 1);
            // Exactly the acknowledged batches, or those plus the one in flight, complete.
            const ok = sameMap(mine, without) || sameMap(mine, withNext);
            if (!ok)
              expect({ round: r, writer: w, acked: acked[w], got: [...mine.keys()].sort() }).toEqual({
                round: r,
                writer: w,
                acked: acked[w],
                got: [...without.keys()].sort(),
              });
            for (const [k, v] of mine) next.set(k, v);
            totalAcked += acked[w]! + 1;
          }
          // Earlier rounds are untouched and no stray keys exist.
          const others = new Map([...actual].filter(([k]) => !k.startsWith(`r${r}w`)));
          expect(others).toEqual(model);
          model = next;
          expect((await db.verify()).problems).toEqual([]);
          compactionsSeen = (await db.stats()).totals.compactions;
        } finally {
          await db.close();
        }
      }
      // The kills must have landed on real work: many acknowledged batches, flushes and compactions.
      expect(totalAcked).toBeGreaterThan(ROUNDS * 10);
      expect(compactionsSeen).toBeGreaterThan(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 180_000);
});
