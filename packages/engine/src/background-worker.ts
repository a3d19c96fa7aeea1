import { parentPort } from 'node:worker_threads';
import type { EscError } from '@esc/core';
import { runCompactionJob, type CompactionJob } from './compaction.js';
import { runFlushJob, type FlushJob } from './flush-job.js';

/**
 * A background thread of the engine (background-thread.ts): merges and memtable flushes run here, so the
 * event loop that serves reads and writes only pays for installing the result. Messages:
 * { id, kind: 'compact' | 'flush', job } in, { id, outputs } or { id, error } out. Buffers arrive as
 * Uint8Arrays (structured clone) and are turned back into Buffers.
 */
const port = parentPort;
if (port === null) throw new Error('background-worker.ts runs only as a worker thread');

function buf(u: Uint8Array): Buffer {
  return Buffer.from(u.buffer, u.byteOffset, u.byteLength);
}

function run(kind: string, job: unknown): Promise<unknown> {
  if (kind === 'flush') return runFlushJob(job as FlushJob);
  const c = job as CompactionJob;
  return runCompactionJob({
    ...c,
    deeper: c.deeper.map((level) => level.map((r) => ({ minKey: buf(r.minKey), maxKey: buf(r.maxKey) }))),
  });
}

port.on('message', (msg: { id: number; kind: string; job: unknown }) => {
  run(msg.kind, msg.job).then(
    (outputs) => port.postMessage({ id: msg.id, outputs }),
    (err: unknown) => {
      const e = err as EscError;
      port.postMessage({
        id: msg.id,
        error: { name: e?.name, message: e?.message ?? String(err), path: e?.path, offset: e?.offset },
      });
    },
  );
});
