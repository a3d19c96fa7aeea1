import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { CorruptionError } from '@esc/core';
import { runCompactionJob, type CompactionJob, type CompactionOutput } from './compaction.js';
import { runFlushJob, type FlushJob } from './flush-job.js';

interface Pending {
  resolve: (o: unknown) => void;
  reject: (e: unknown) => void;
}

interface WorkerError {
  name?: string;
  message: string;
  path?: string;
  offset?: number;
}

/**
 * A worker thread that runs the engine's background jobs (background-worker.ts). A process has two, shared
 * by every open engine: one for merges and one for memtable flushes, so a flush, which writers may be
 * waiting for, never queues behind a long merge (LevelDB gives flushes priority on its one thread for the
 * same reason). Starting a thread costs more than most jobs, hence one per process rather than per engine.
 * It is unref'd while idle, so it never keeps a process alive by itself. From TypeScript sources (the test
 * runner) it loads through tsx; from dist it is plain JavaScript.
 */
class BackgroundThread {
  private worker: Worker | null = null;
  private readonly pending = new Map<number, Pending>();
  private nextId = 0;

  constructor(private readonly kind: 'compact' | 'flush') {}

  run(job: CompactionJob | FlushJob): Promise<unknown> {
    const worker = this.ensureWorker();
    const id = ++this.nextId;
    // Referenced while a job runs, so a process awaiting a compaction does not exit under it.
    if (this.pending.size === 0) worker.ref();
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      worker.postMessage({ id, kind: this.kind, job });
    });
  }

  private ensureWorker(): Worker {
    if (this.worker !== null) return this.worker;
    const worker = import.meta.url.endsWith('.ts')
      ? sourceWorker()
      : new Worker(new URL('./background-worker.js', import.meta.url));
    worker.on('message', (msg: { id: number; outputs?: unknown; error?: WorkerError }) => {
      const p = this.pending.get(msg.id);
      if (p === undefined) return;
      this.pending.delete(msg.id);
      if (this.pending.size === 0) worker.unref();
      if (msg.error === undefined) p.resolve(msg.outputs!);
      else
        p.reject(
          msg.error.name === 'CorruptionError'
            ? new CorruptionError(msg.error.message, { path: msg.error.path, offset: msg.error.offset })
            : new Error(`${this.kind === 'flush' ? 'flush' : 'compaction'} failed: ${msg.error.message}`),
        );
    });
    const failAll = (err: unknown) => {
      if (this.worker === worker) this.worker = null;
      for (const p of this.pending.values()) p.reject(err);
      this.pending.clear();
    };
    worker.on('error', failAll);
    worker.on('exit', (code) => failAll(new Error(`engine ${this.kind} thread exited with code ${code}`)));
    // After the listeners: adding a 'message' listener refs the thread's port again.
    worker.unref();
    this.worker = worker;
    return worker;
  }
}

let compactionThread: BackgroundThread | null = null;
let flushThread: BackgroundThread | null = null;

/** Runs a compaction job on the shared compaction thread, or in-process when `useThread` is false. */
export function runCompaction(job: CompactionJob, useThread: boolean): Promise<CompactionOutput[]> {
  if (!useThread) return runCompactionJob(job);
  compactionThread ??= new BackgroundThread('compact');
  return compactionThread.run(job) as Promise<CompactionOutput[]>;
}

/** Writes a flushed memtable's segment on the shared flush thread, or in-process when `useThread` is false. */
export async function runFlush(job: FlushJob, useThread: boolean): Promise<void> {
  if (!useThread) return runFlushJob(job, 4096);
  flushThread ??= new BackgroundThread('flush');
  await flushThread.run(job);
}

/** The worker from TypeScript sources: register tsx's loader inside the thread, then load the module. */
function sourceWorker(): Worker {
  // require.resolve gives the CommonJS build; the thread needs the ES module one beside it.
  const api = pathToFileURL(
    createRequire(import.meta.url)
      .resolve('tsx/esm/api')
      .replace(/\.cjs$/, '.mjs'),
  ).href;
  const entry = new URL('./background-worker.ts', import.meta.url).href;
  return new Worker(
    `import(${JSON.stringify(api)}).then((m) => m.register()).then(() => import(${JSON.stringify(entry)}));`,
    { eval: true },
  );
}
