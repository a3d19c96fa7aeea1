import { readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { openStore, type BenchStore, type EngineName } from './bench-store.js';
import { SYNC_WRITERS, ROWS, syncedOps, type Row, type RowResult } from './rows.js';
import { keyOf, missingKeyOf, permutation, randomIndexes, valueAt, valuePool } from './workload.js';

/**
 * One benchmark row for one engine, in its own process so its peak RSS is its own:
 * `node worker.js --engine esc|leveldb --row ROW --dir DIR --keys N --result FILE`.
 * Only the operations are timed (not opening or closing); the result goes to FILE as JSON.
 */
async function runRow(store: BenchStore, row: Row, n: number): Promise<number> {
  const pool = valuePool();
  switch (row) {
    case 'fillseq': {
      for (let i = 0; i < n; i += 1000) {
        const batch: [Buffer, Buffer][] = [];
        for (let j = i; j < Math.min(n, i + 1000); j++) batch.push([keyOf(j), valueAt(pool, j)]);
        await store.batch(batch);
      }
      return n;
    }
    case 'fillrandom': {
      const order = permutation(n);
      for (let i = 0; i < n; i++) await store.put(keyOf(order[i]!), valueAt(pool, i), false);
      return n;
    }
    case 'fillsync': {
      const total = syncedOps(n);
      const order = permutation(total, 99);
      let next = 0;
      const writer = async () => {
        for (let i = next++; i < total; i = next++) await store.put(keyOf(order[i]!), valueAt(pool, i), true);
      };
      await Promise.all(Array.from({ length: SYNC_WRITERS }, writer));
      return total;
    }
    case 'readrandom': {
      const idx = randomIndexes(n, n);
      let found = 0;
      for (let i = 0; i < n; i++) if ((await store.get(keyOf(idx[i]!))) !== undefined) found++;
      if (found !== n) throw new Error(`readrandom found ${found} of ${n} keys: the prefilled database is incomplete`);
      return n;
    }
    case 'readmissing': {
      const idx = randomIndexes(n, n, 8);
      for (let i = 0; i < n; i++)
        if ((await store.get(missingKeyOf(idx[i]!))) !== undefined) throw new Error('readmissing found a key');
      return n;
    }
    case 'readseq': {
      const count = await store.scanAll();
      if (count !== n) throw new Error(`readseq saw ${count} entries, expected ${n}`);
      return n;
    }
    case 'compact':
      await store.compactAll(keyOf(0), keyOf(n));
      return 1;
  }
}

function dirBytes(dir: string): number {
  let total = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    total += entry.isDirectory() ? dirBytes(path) : statSync(path).size;
  }
  return total;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      engine: { type: 'string' },
      row: { type: 'string' },
      dir: { type: 'string' },
      keys: { type: 'string' },
      result: { type: 'string' },
    },
  });
  const engine = values.engine as EngineName;
  const row = values.row as Row;
  if ((engine !== 'esc' && engine !== 'leveldb') || !ROWS.includes(row) || !values.dir || !values.result) {
    throw new Error('usage: worker.js --engine esc|leveldb --row ROW --dir DIR --keys N --result FILE');
  }
  const n = Number(values.keys ?? 1_000_000);
  const store = await openStore(engine, values.dir, row === 'fillsync');
  const t0 = performance.now();
  const ops = await runRow(store, row, n);
  const seconds = (performance.now() - t0) / 1000;
  await store.close();
  const result: RowResult = { ops, seconds, opsPerSec: ops / seconds, diskBytes: dirBytes(values.dir) };
  writeFileSync(values.result, JSON.stringify(result));
}

main().catch((err: unknown) => {
  process.stderr.write(`engine-bench worker: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
