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

/** Synced puts are slow on purpose, so that row writes a fraction of the keys (db_bench's fillsync: num / 1000). */
export function syncedOps(keys: number): number {
  return Math.max(1000, Math.floor(keys / 100));
}

/** Concurrent writers in the synced row: what lets group commit share one fdatasync among many puts. */
export const SYNC_WRITERS = 64;
