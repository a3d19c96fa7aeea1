import { write, writev } from 'node:fs';
import { FileAccessError } from '@esc/core';

interface WriteJob {
  fd: number;
  path: string;
  buffers: Buffer[];
  position: number;
  resolve: () => void;
  reject: (err: unknown) => void;
}

/**
 * Writes at given file positions, run on libuv's thread pool one at a time, in the order they were submitted:
 * while one is in the kernel, the main thread encodes the next (Kafka's producer keeps several requests in
 * flight the same way). One at a time, because two writes in flight could land out of order: a reader, or a
 * crash, would then see a hole of zeros before the later one. After a failed write, every write queued behind
 * it fails too (nothing is written past a hole); the owner recovers the tail before writing again.
 */
export class OrderedWrites {
  private queue: WriteJob[] = [];
  private head: WriteJob | null = null;
  private waiters: (() => void)[] = [];

  /**
   * `onWritten` runs on the main thread as each write completes, with its file and the position its bytes end
   * at; `onFailed` as soon as one fails, before any promise settles.
   */
  constructor(
    private readonly onWritten: (fd: number, end: number) => void,
    private readonly onFailed: () => void,
  ) {}

  /** Whether a write is in flight or queued. */
  get busy(): boolean {
    return this.head !== null;
  }

  /** Queues `buffers` to be written at `position` of `fd`; resolves once all of them are written. */
  submit(fd: number, path: string, buffers: Buffer[], position: number): Promise<void> {
    return new Promise((resolve, reject) => {
      const job = { fd, path, buffers, position, resolve, reject };
      if (this.head === null) this.start(job);
      else this.queue.push(job);
    });
  }

  /** Resolves once nothing is in flight or queued (whether the writes succeeded or not). */
  settled(): Promise<void> {
    if (this.head === null) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  private start(job: WriteJob): void {
    this.head = job;
    const done = (err: NodeJS.ErrnoException | null, written: number) => this.written(job, err, written);
    if (job.buffers.length === 1) {
      const b = job.buffers[0]!;
      write(job.fd, b, 0, b.length, job.position, done);
    } else writev(job.fd, job.buffers, job.position, done);
  }

  private written(job: WriteJob, err: NodeJS.ErrnoException | null, written: number): void {
    if (err !== null) {
      const failure = new FileAccessError(job.path, err);
      const failed = [job, ...this.queue.splice(0)];
      this.onFailed();
      this.finish();
      for (const j of failed) j.reject(failure);
      return;
    }
    const rest = skip(job.buffers, written);
    if (rest.length > 0) {
      // A short write (rare on a regular file): the rest, at once, before anything queued.
      this.start({ ...job, buffers: rest, position: job.position + written });
      return;
    }
    this.onWritten(job.fd, job.position + written);
    // The next write goes to the thread pool before this one's caller runs on, so the two overlap.
    const next = this.queue.shift();
    if (next !== undefined) this.start(next);
    else this.finish();
    job.resolve();
  }

  private finish(): void {
    this.head = null;
    for (const w of this.waiters.splice(0)) w();
  }
}

/** The buffers left once the first `n` bytes were written. */
function skip(buffers: Buffer[], n: number): Buffer[] {
  const rest: Buffer[] = [];
  for (const b of buffers) {
    if (n >= b.length) n -= b.length;
    else {
      rest.push(n > 0 ? b.subarray(n) : b);
      n = 0;
    }
  }
  return rest;
}
