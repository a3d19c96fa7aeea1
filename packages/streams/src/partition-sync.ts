import { open } from 'node:fs/promises';
import { isErrno } from '@esc/core';
import { listSegments, segmentFiles } from './segment.js';

/**
 * Makes what was appended to a partition so far durable, for an owner that appends with sync 'none' and
 * syncs on its own schedule (the server's `--sync batch`: once a second, as Redis's appendfsync everysec).
 * Only the active segment can hold unsynced records: a roll fdatasyncs the segment it closes. Another
 * descriptor of the same file is enough: fdatasync flushes the file's dirty pages whoever wrote them.
 */
export async function syncPartition(partitionDir: string): Promise<void> {
  const bases = listSegments(partitionDir);
  const last = bases[bases.length - 1];
  if (last === undefined) return;
  let handle: Awaited<ReturnType<typeof open>>;
  try {
    handle = await open(segmentFiles(partitionDir, last).log, 'r');
  } catch (err) {
    if (isErrno(err, 'ENOENT')) return; // deleted meanwhile (the topic, or retention)
    throw err;
  }
  try {
    await handle.datasync();
  } finally {
    await handle.close();
  }
}
