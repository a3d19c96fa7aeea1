import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { fmtMiB, fmtRatio, measure, median, table } from '../measure.js';
import type { EngineName } from './bench-store.js';
import { ROWS, SYNC_WRITERS, syncedOps, type Row, type RowResult } from './rows.js';

const WORKER = fileURLToPath(new URL('./worker.js', import.meta.url));
const ENGINES: EngineName[] = ['esc', 'leveldb'];
// A worker that hangs fails the run with a clear message instead of stalling it forever (coreutils timeout).
const WORKER_TIMEOUT_S = 1800;

export interface ComparisonOptions {
  keys: number;
  rounds: number;
  scratch: string;
  log(message: string): void;
}

interface Cell {
  results: RowResult[];
  maxRssKiB: number;
}

const LABELS: Record<Row, (keys: number) => string> = {
  fillseq: () => 'fill sequential (batches of 1,000)',
  fillrandom: () => 'fill random (awaited puts)',
  fillsync: (keys) =>
    `fill random, sync always, ${SYNC_WRITERS} writers (${syncedOps(keys).toLocaleString('en-US')} puts)`,
  readrandom: () => 'read random (hits)',
  readmissing: () => 'read missing keys',
  readseq: () => 'read sequential (iterator)',
  compact: () => 'disk bytes after fill random + full compaction',
};

/**
 * esc against LevelDB (classic-level) on db_bench's workload, each row run for esc, then LevelDB, then esc
 * again…, every run a fresh worker process (peak RSS per engine). Write rows start from an empty directory;
 * the read rows and the compaction use the database the last fill-random round left behind.
 */
export function compareEngines(options: ComparisonOptions): string {
  const { keys, rounds } = options;
  // A directory per run: two runs at once (two engineers, one machine) must not delete each other's data.
  const scratch = join(options.scratch, `run-${process.pid}`);
  rmSync(scratch, { recursive: true, force: true });
  mkdirSync(scratch, { recursive: true });
  const filled: Record<EngineName, string> = {
    esc: join(scratch, 'filled-esc'),
    leveldb: join(scratch, 'filled-leveldb'),
  };
  const cells = new Map<string, Cell>();

  const run = (engine: EngineName, row: Row, dir: string) => {
    const resultFile = join(scratch, `result-${engine}-${row}.json`);
    const m = measure({
      label: `${engine} ${row}`,
      argv: [
        'timeout',
        String(WORKER_TIMEOUT_S),
        process.execPath,
        WORKER,
        '--engine',
        engine,
        '--row',
        row,
        '--dir',
        dir,
        '--keys',
        String(keys),
        '--result',
        resultFile,
      ],
      stdout: 'null',
    });
    if (m.status === 124)
      throw new Error(`${engine} ${row} did not finish within ${WORKER_TIMEOUT_S} s (a hang, or --keys too large)`);
    if (m.status !== 0) throw new Error(`${engine} ${row} failed (exit ${m.status}); its error is above`);
    const result = JSON.parse(readFileSync(resultFile, 'utf8')) as RowResult;
    const cell = cells.get(`${engine}/${row}`) ?? { results: [], maxRssKiB: 0 };
    cell.results.push(result);
    cell.maxRssKiB = Math.max(cell.maxRssKiB, m.maxRssKiB);
    cells.set(`${engine}/${row}`, cell);
    options.log(
      `  ${row.padEnd(12)} ${engine.padEnd(8)} ${Math.round(result.opsPerSec).toLocaleString('en-US').padStart(10)} ops/s  ${fmtMiB(m.maxRssKiB)}`,
    );
  };

  for (const row of ROWS) {
    // The full compaction's output is deterministic: one run per engine.
    const times = row === 'compact' ? 1 : rounds;
    for (let r = 0; r < times; r++) {
      for (const engine of ENGINES) {
        if (row.startsWith('fill')) {
          const dir = row === 'fillrandom' && r === times - 1 ? filled[engine] : join(scratch, `${engine}-${row}-${r}`);
          rmSync(dir, { recursive: true, force: true });
          run(engine, row, dir);
          if (dir !== filled[engine]) rmSync(dir, { recursive: true, force: true });
        } else {
          run(engine, row, filled[engine]);
        }
      }
    }
  }

  const rows = ROWS.map((row) => {
    const esc = cells.get(`esc/${row}`)!;
    const level = cells.get(`leveldb/${row}`)!;
    if (row === 'compact') {
      const e = esc.results[0]!.diskBytes;
      const l = level.results[0]!.diskBytes;
      // Fewer bytes is better, so the ratio is LevelDB's bytes over esc's: above 1.0× esc is smaller.
      return [
        LABELS[row](keys),
        `${fmtMiB(e / 1024)}`,
        `${fmtMiB(l / 1024)}`,
        fmtRatio(l / e),
        fmtMiB(esc.maxRssKiB),
        fmtMiB(level.maxRssKiB),
      ];
    }
    const e = median(esc.results.map((x) => x.opsPerSec));
    const l = median(level.results.map((x) => x.opsPerSec));
    return [LABELS[row](keys), fmtOps(e), fmtOps(l), fmtRatio(e / l), fmtMiB(esc.maxRssKiB), fmtMiB(level.maxRssKiB)];
  });
  rmSync(scratch, { recursive: true, force: true });
  return table(['row', 'esc', 'classic-level', 'ratio', 'esc peak RSS', 'classic-level peak RSS'], rows);
}

function fmtOps(perSec: number): string {
  return `${Math.round(perSec).toLocaleString('en-US')} ops/s`;
}
