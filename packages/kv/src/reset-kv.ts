import { mkdirSync, renameSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import { FileAccessError, isErrno } from '@esc/core';
import { resolveKvOptions, type KvOptions } from './kv-options.js';
import { storeFiles } from './store-files.js';
import { loadWritePath } from './write-path.js';

/**
 * Starts the store over (CLI `clear --force`): under the lock, moves the existing snapshot and journal aside
 * to `<name>.corrupt-<time>` (whatever state they are in: nothing is deleted), then writes an empty snapshot
 * and journal. Returns the paths the old files were moved to.
 */
export async function resetKv(path: string, options: KvOptions = {}): Promise<string[]> {
  const config = await resolveKvOptions(options);
  const files = storeFiles(path);
  mkdirSync(dirname(path), { recursive: true });
  const w = await loadWritePath();
  const release = await w.acquireStoreLock(
    files.snapshot,
    files.lock,
    { staleMs: config.lockStaleMs, waitMs: config.lockWaitMs },
    () => undefined,
  );
  try {
    const stamp = new Date(config.clock()).toISOString().replace(/[:.]/g, '-');
    const moved: string[] = [];
    for (const file of [files.snapshot, files.journal]) {
      try {
        statSync(file);
      } catch (err) {
        if (isErrno(err, 'ENOENT')) continue;
        throw new FileAccessError(file, err);
      }
      const aside = `${file}.corrupt-${stamp}`;
      renameSync(file, aside);
      moved.push(aside);
    }
    // A generation no earlier journal can carry, so no reader mistakes an old journal for this snapshot's.
    const generation = Date.now();
    w.writeSnapshot(files.snapshot, generation, []);
    w.createJournal(files.journal, generation);
    return moved;
  } finally {
    await release().catch(() => undefined);
  }
}
