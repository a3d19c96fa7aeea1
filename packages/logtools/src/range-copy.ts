import { readSync } from 'node:fs';
import { FileAccessError, isErrno, type BufferedOutput } from '@esc/core';

const COPY_BLOCK = 128 * 1024;

/**
 * Copies an input to its end as raw bytes, reading into one reused buffer: from byte `start` of a regular
 * file, or (`start` null) sequentially from a pipe or terminal. Printing a whole input or a tail needs no
 * line boundaries, so this skips readChunks' per-read allocation and newline search; it is what keeps
 * `logread --all` near `cat`. Returns the number of bytes copied.
 */
export function copyToEnd(fd: number, start: number | null, out: BufferedOutput, name: string): number {
  const block = Buffer.allocUnsafe(COPY_BLOCK);
  let copied = 0;
  for (;;) {
    let n: number;
    try {
      n = readSync(fd, block, 0, block.length, start === null ? null : start + copied);
    } catch (err) {
      // A descriptor left non-blocking by someone else: wait for data as a blocking read would.
      if (isErrno(err, 'EAGAIN')) {
        Atomics.wait(PAUSE, 0, 0, 2);
        continue;
      }
      if (isErrno(err, 'EOF')) return copied;
      throw new FileAccessError(name, err);
    }
    if (n === 0) return copied;
    copied += n;
    out.write(n === block.length ? block : block.subarray(0, n));
  }
}

const PAUSE = new Int32Array(new SharedArrayBuffer(4));
