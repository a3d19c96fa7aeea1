import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { REPO_ROOT } from '../bench-context.js';
import { compareEngines } from './engine-comparison.js';

// A quick engine-only run that prints its table instead of rewriting docs/benchmarks.md:
// `node packages/bench/dist/engine-bench/cli.js --keys 100000 --rounds 1`.
const { values } = parseArgs({
  options: { keys: { type: 'string', default: '1000000' }, rounds: { type: 'string', default: '3' } },
});
const keys = Number(values.keys);
const rounds = Number(values.rounds);
if (!Number.isSafeInteger(keys) || keys < 1000 || !Number.isSafeInteger(rounds) || rounds < 1) {
  throw new Error('usage: cli.js [--keys N (>= 1000)] [--rounds R]');
}
const log = (message: string) => process.stderr.write(`${message}\n`);
process.stdout.write(`${compareEngines({ keys, rounds, scratch: join(REPO_ROOT, 'bench-data', 'engine'), log })}\n`);
