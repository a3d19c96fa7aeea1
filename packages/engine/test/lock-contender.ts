import { join } from 'node:path';
import { acquireDirLock } from '../src/dir-lock.js';

// One contender of dir-lock.test.ts: in round r (directory DIR/r, starting at START + r·PERIOD ms) it tries
// to take the lock once, holds it HOLD ms, and prints what it got as one JSON line.
const [dir, start, rounds, period, hold] = process.argv.slice(2).map((a, i) => (i === 0 ? a : Number(a))) as [
  string,
  number,
  number,
  number,
  number,
];
const sleeper = new Int32Array(new SharedArrayBuffer(4));
const now = () => performance.timeOrigin + performance.now();
const sleepUntil = (t: number) => {
  const ms = t - now();
  if (ms > 0) Atomics.wait(sleeper, 0, 0, ms);
};
for (let r = 0; r < rounds; r++) {
  sleepUntil(start + r * period);
  try {
    const lock = acquireDirLock(join(dir, String(r)));
    const from = now();
    sleepUntil(from + hold);
    const to = now();
    lock.release();
    process.stdout.write(`${JSON.stringify({ round: r, pid: process.pid, from, to })}\n`);
  } catch (err) {
    const name = (err as Error).constructor.name;
    if (name !== 'EngineLockedError') throw err;
  }
}
