/** The rows of the engine benchmark, LevelDB db_bench's names, in the order they run. */
export const ROWS = ['fillseq', 'fillrandom', 'fillsync', 'readrandom', 'readmissing', 'readseq', 'compact'] as const;
export type Row = (typeof ROWS)[number];

/** What a worker reports for one row: the timed operations only. */
export interface RowResult {
  ops: number;
  seconds: number;
  opsPerSec: number;
  diskBytes: number;
}

/**
 * Synced puts are slow on purpose, so that row writes a fraction of the keys (db_bench's fillsync: num / 1000).
 * A twentieth: 50,000 puts at 1M keys, a few seconds for LevelDB. With a hundredth (10,000 puts, 0.2 s for
 * esc) the window was dominated by warm-up (JIT tiers, the first flush and its thread's start) and one or two
 * slow fdatasyncs, and the ratio moved between 3.5× and 5.8× from run to run; the longer row measures the
 * steady state a long-running writer sees.
 */
export function syncedOps(keys: number): number {
  return Math.max(1000, Math.floor(keys / 20));
}

/** Concurrent writers in the synced row: what lets group commit share one fdatasync among many puts. */
export const SYNC_WRITERS = 64;
