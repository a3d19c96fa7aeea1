import { parentPort, workerData } from 'node:worker_threads';
import { type CleanJob, runCleanJob } from './log-cleaner.js';

/**
 * The log cleaner's thread: one job in (workerData), its groups or its error out, then the thread ends. The
 * event loop of the process that owns the topic only does the swap, which is a few renames.
 */
const port = parentPort;
if (port === null) throw new Error('cleaner-worker.ts runs only as a worker thread');
try {
  port.postMessage({ groups: runCleanJob(workerData as CleanJob) });
} catch (err) {
  const e = err as { name?: string; message?: string; path?: string; offset?: number };
  port.postMessage({ error: { name: e.name, message: e.message ?? String(err), path: e.path, offset: e.offset } });
}
