import { isExpired } from './kv-entry.js';
import type { StoreView } from './store-view.js';

export interface KvStats {
  liveKeys: number;
  keysWithTtl: number;
  /** Keys whose expiry has passed but which are still in the files (swept at the next compaction). */
  expiredNotSwept: number;
  snapshot: { path: string; bytes: number; generation: number };
  journal: { path: string; bytes: number; records: number };
  /** When the current snapshot was written (ISO 8601), null before the first compaction. */
  lastCompaction: string | null;
}

/** Counts every entry of the view (so it reads and checks everything) and describes its files. */
export function storeStats(view: StoreView, now: number): KvStats {
  let live = 0;
  let withTtl = 0;
  let expired = 0;
  for (const e of view.entries().values()) {
    if (isExpired(e, now)) expired++;
    else {
      live++;
      if (e.expiresAt !== null) withTtl++;
    }
  }
  return {
    liveKeys: live,
    keysWithTtl: withTtl,
    expiredNotSwept: expired,
    snapshot: { path: view.files.snapshot, bytes: view.snapshotBytes, generation: view.generation },
    journal: {
      path: view.files.journal,
      bytes: view.journalFd === null ? 0 : view.journalEnd,
      records: Math.max(0, view.journalLineCount() - 1),
    },
    lastCompaction: view.snapshotCreatedAt,
  };
}
