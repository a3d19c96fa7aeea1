import { parentPort } from 'node:worker_threads';
import { EscError } from '@esc/core';
import { runCompactionJob, type CompactionJob } from './compaction.js';

/**
 * The compaction thread: merges run here so the event loop that serves reads and writes only pays for
 * installing the result. Messages: { id, job } in, { id, outputs } or { id, error } out. Buffers arrive as
 * Uint8Arrays (structured clone) and are turned back into Buffers.
 */
const port = parentPort;
if (port === null) throw new Error('compaction-worker.ts runs only as a worker thread');

function buf(u: Uint8Array): Buffer {
  return Buffer.from(u.buffer, u.byteOffset, u.byteLength);
}

port.on('message', (msg: { id: number; job: CompactionJob }) => {
  const job: CompactionJob = { ...msg.job, deeper: msg.job.deeper.map((run) => run.map((r) => ({ minKey: buf(r.minKey), maxKey: buf(r.maxKey) }))) };
  runCompactionJob(job).then(
    (outputs) => port.postMessage({ id: msg.id, outputs }),
    (err: unknown) => {
      const e = err as EscError;
      port.postMessage({ id: msg.id, error: { name: e?.name, message: e?.message ?? String(err), path: e?.path, offset: e?.offset } });
    },
  );
});
