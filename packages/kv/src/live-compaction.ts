import { open, rename, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { FileAccessError } from '@esc/core';
import { encodeLine, JOURNAL_FORMAT, JOURNAL_VERSION } from './journal-format.js';
import { isExpired, type KvEntry } from './kv-entry.js';
import { renderSnapshot } from './snapshot-writer.js';
import type { StoreView } from './store-view.js';

export interface CompactedFiles {
  generation: number;
  snapshotBytes: number;
  headerBytes: number;
}

/**
 * compactStore's steps (snapshot G+1, then journal G+1, each written to a temp file, fsynced, renamed, the
 * directory fsynced), with the file work on libuv's thread pool so that the event loop keeps serving reads while
 * the disk flushes. The entries are captured (and expired ones swept) synchronously first; the caller holds the
 * store lock and appends nothing until this resolves, then adopts the new files (`view.adoptNewFiles`).
 */
export async function compactInBackground(view: StoreView, now: number): Promise<CompactedFiles> {
  const live: [string, KvEntry][] = [];
  const entries = view.entries();
  for (const [key, entry] of entries) {
    if (isExpired(entry, now)) entries.delete(key);
    else live.push([key, entry]);
  }
  const generation = view.generation + 1;
  const snapshot = renderSnapshot(generation, live);
  const header = Buffer.from(encodeLine({ journal: JOURNAL_FORMAT, version: JOURNAL_VERSION, generation }));
  await writeFileAtomic(view.files.snapshot, snapshot);
  await writeFileAtomic(view.files.journal, header);
  return { generation, snapshotBytes: snapshot.length, headerBytes: header.length };
}

let counter = 0;

/** core's writeFileAtomicSync, asynchronously. */
async function writeFileAtomic(path: string, data: Buffer): Promise<void> {
  const dir = dirname(path);
  const tmp = join(dir, `.${basename(path)}.${process.pid}.${Date.now().toString(36)}.${(counter++).toString(36)}.tmp`);
  try {
    const file = await open(tmp, 'wx', 0o644);
    try {
      await file.writeFile(data);
      await file.sync();
    } finally {
      await file.close();
    }
    await rename(tmp, path);
  } catch (err) {
    await unlink(tmp).catch(() => undefined);
    throw new FileAccessError(path, err);
  }
  try {
    const handle = await open(dir, 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch (err) {
    throw new FileAccessError(dir, err);
  }
}
