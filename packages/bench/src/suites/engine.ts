import { join } from 'node:path';
import type { BenchSuite } from '../bench-suite.js';
import { compareEngines } from '../engine-bench/engine-comparison.js';
import { SYNC_WRITERS } from '../engine-bench/rows.js';

// run.ts has no --keys flag; ESC_BENCH_KEYS shrinks the run (engine-bench/cli.js takes --keys directly).
const KEYS = Number(process.env.ESC_BENCH_KEYS ?? 1_000_000);

export const suite: BenchSuite = {
  name: 'engine',
  title: 'engine: esc against LevelDB (classic-level)',
  async run(ctx) {
    const body = compareEngines({ keys: KEYS, rounds: ctx.rounds, scratch: join(ctx.dataDir, 'engine'), log: ctx.log });
    return `LevelDB's db_bench workload: ${KEYS.toLocaleString('en-US')} keys of 16 bytes, values of 100 bytes that compress to about half.
Each row runs esc, then LevelDB through classic-level 3 (its defaults: snappy, no bloom filter), alternately
for ${ctx.rounds} rounds, every run in a fresh process; ops/s are medians of the timed operations only, ratio is esc ÷
classic-level (for disk bytes classic-level ÷ esc: above 1.0× esc is smaller). Reads use the database the last
fill-random round wrote (every key present once); missing keys sort between stored ones (db_bench's
\`readmissing\`). The synced row is ${SYNC_WRITERS} concurrent writers awaiting \`put(k, v, { sync: true })\` (esc: \`syncMode: 'always'\`).
esc runs with its default config. Peak RSS is the worker process's maximum.

${body}

Command: \`node packages/bench/dist/run.js --only engine --rounds ${ctx.rounds}\` (quick run:
\`node packages/bench/dist/engine-bench/cli.js --keys 100000 --rounds 1\`).`;
  },
};
