import { writeSync } from 'node:fs';
import { restoreBlocking } from './blocking-stdio.js';
import { BrokenPipeError } from './errors.js';

const DEFAULT_BLOCK = 64 * 1024;

/**
 * Writes to a file descriptor in large blocks with synchronous writes. Synchronous writes keep memory
 * constant (no unbounded queue behind a slow reader) and let a closed pipe surface at once as
 * BrokenPipeError, which the CLI turns into a quiet exit 0, so `esc … | head` stops reading early.
 */
export class BufferedOutput {
  private block: Buffer;
  private used = 0;

  constructor(
    private readonly fd = 1,
    blockSize = DEFAULT_BLOCK,
  ) {
    this.block = Buffer.allocUnsafe(blockSize);
  }

  write(data: string | Uint8Array): void {
    if (typeof data === 'string') {
      // Fast path: ASCII/UTF-8 text encoded straight into the block.
      if (data.length * 3 <= this.block.length - this.used) {
        this.used += this.block.write(data, this.used, 'utf8');
        return;
      }
      data = Buffer.from(data, 'utf8');
    }
    if (data.length > this.block.length - this.used) {
      this.flush();
      if (data.length >= this.block.length) {
        writeFully(this.fd, data);
        return;
      }
    }
    this.block.set(data, this.used);
    this.used += data.length;
  }

  /** Writes `data[start, end)` without making a subarray object for small copies. */
  writeRange(data: Buffer, start: number, end: number): void {
    const len = end - start;
    if (len > this.block.length - this.used) {
      this.flush();
      if (len >= this.block.length) {
        writeFully(this.fd, data.subarray(start, end));
        return;
      }
    }
    data.copy(this.block, this.used, start, end);
    this.used += len;
  }

  flush(): void {
    if (this.used === 0) return;
    const pending = this.block.subarray(0, this.used);
    this.used = 0;
    writeFully(this.fd, pending);
  }
}

const SLEEP_CELL = new Int32Array(new SharedArrayBuffer(4));

function writeFully(fd: number, data: Uint8Array): void {
  let off = 0;
  let triedBlocking = false;
  while (off < data.length) {
    try {
      off += writeSync(fd, data, off, data.length - off);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'EPIPE') throw new BrokenPipeError();
      // A pipe that Node made non-blocking is full: make it blocking again (once), else wait a moment.
      if (code === 'EAGAIN') {
        if (!triedBlocking) {
          triedBlocking = true;
          if (restoreBlocking(fd)) continue;
        }
        Atomics.wait(SLEEP_CELL, 0, 0, 1);
        continue;
      }
      throw err;
    }
  }
}
