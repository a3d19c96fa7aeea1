/**
 * Child process of crash.test.ts: opens the engine with sync 'always' and tiny sizes (so flushes and
 * compactions run all the time), then runs several writers concurrently, forever. Each writer sends
 * batches one after another and prints `<writer> <batch>` on stdout only after the batch's promise has
 * resolved, so every printed line is an acknowledged, durable batch. The parent kills it with SIGKILL.
 *
 * Batch i of writer w in round r puts keys r<r>w<w>b<i>:<j> (j < 1 + i % 4) with value <i>:<j>:padding
 * and deletes r<r>w<w>b<i−5>:0, so a batch mixes puts and a delete and its all-or-nothing is checkable.
 */
import { open } from '../src/index.js';

const [dir, round, writersArg] = process.argv.slice(2);
const writers = Number(writersArg ?? 4);
const db = await open(dir!, {
  syncMode: 'always',
  memtableSize: 2048,
  segmentSize: 2048,
  blockSize: 256,
  compactionThreshold: 2,
  level1MaxBytes: 6144,
  levelSizeMultiplier: 2,
});
process.stdout.write('ready\n');

export function batchOps(r: string, w: number, i: number) {
  const ops: ({ type: 'put'; key: string; value: string } | { type: 'del'; key: string })[] = [];
  for (let j = 0; j < 1 + (i % 4); j++)
    ops.push({ type: 'put', key: `r${r}w${w}b${i}:${j}`, value: `${i}:${j}:${'p'.repeat(60)}` });
  if (i >= 5) ops.push({ type: 'del', key: `r${r}w${w}b${i - 5}:0` });
  return ops;
}

async function writer(w: number): Promise<void> {
  for (let i = 0; ; i++) {
    await db.batch(batchOps(round!, w, i));
    process.stdout.write(`${w} ${i}\n`);
  }
}

await Promise.all(Array.from({ length: writers }, (_, w) => writer(w)));
