import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { CorruptionError } from '@esc/core';
import type { CleanedGroup, CleanJob } from './log-cleaner.js';

/** Runs one cleaning job on a thread of its own (off the event loop) and resolves with its groups. */
export function runCleanJobInThread(job: CleanJob): Promise<CleanedGroup[]> {
  const worker = import.meta.url.endsWith('.ts')
    ? sourceWorker(job)
    : new Worker(new URL('./cleaner-worker.js', import.meta.url), { workerData: job });
  return new Promise((resolve, reject) => {
    worker.once(
      'message',
      (msg: {
        groups?: CleanedGroup[];
        error?: { name?: string; message: string; path?: string; offset?: number };
      }) => {
        if (msg.groups !== undefined) resolve(msg.groups);
        else if (msg.error?.name === 'CorruptionError')
          reject(new CorruptionError(msg.error.message, { path: msg.error.path, offset: msg.error.offset }));
        else reject(new Error(`log cleaner failed: ${msg.error?.message}`));
      },
    );
    worker.once('error', reject);
    worker.once('exit', (code) => reject(new Error(`log cleaner thread exited with code ${code}`)));
  });
}

/** The worker from TypeScript sources (tests): register tsx's loader inside the thread, then load the module. */
function sourceWorker(job: CleanJob): Worker {
  const api = pathToFileURL(
    createRequire(import.meta.url)
      .resolve('tsx/esm/api')
      .replace(/\.cjs$/, '.mjs'),
  ).href;
  const entry = new URL('./cleaner-worker.ts', import.meta.url).href;
  return new Worker(
    `import(${JSON.stringify(api)}).then((m) => m.register()).then(() => import(${JSON.stringify(entry)}));`,
    { eval: true, workerData: job },
  );
}
