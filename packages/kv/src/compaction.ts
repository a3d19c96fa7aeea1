import { createJournal } from './journal-writer.js';
import { isExpired, type KvEntry } from './kv-entry.js';
import { writeSnapshot } from './snapshot-writer.js';
import type { StoreView } from './store-view.js';

/**
 * Folds the journal into a new snapshot (caller holds the store lock). Order matters for crash safety:
 *   1. write snapshot G+1 to a unique temp file, fsync, rename over the old one, fsync the directory;
 *   2. start journal G+1 the same way.
 * A crash after 1 leaves snapshot G+1 beside journal G: the journal's lines are already in the snapshot, and
 * readers know it from the generation (they skip a journal older than its snapshot; the next writer replaces
 * it). Nothing is applied twice and nothing is lost. Expired keys are swept here.
 */
export function compactStore(view: StoreView, now: number): void {
  const live: [string, KvEntry][] = [];
  const entries = view.entries();
  for (const [key, entry] of entries) {
    if (isExpired(entry, now)) entries.delete(key);
    else live.push([key, entry]);
  }
  const generation = view.generation + 1;
  const snapshotBytes = writeSnapshot(view.files.snapshot, generation, live);
  const headerBytes = createJournal(view.files.journal, generation);
  view.adoptNewFiles(generation, snapshotBytes, headerBytes);
}
