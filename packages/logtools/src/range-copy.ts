import { readSync } from 'node:fs';
import { FileAccessError, isErrno, type BufferedOutput } from '@esc/core';

const COPY_BLOCK = 128 * 1024;

/**
 * Reads an input to its end in raw blocks, synchronously: from byte `start` of a regular file, or (`start`
 * null) sequentially from a pipe or terminal. Printing a whole input or keeping a tail needs no line
 * boundaries, so this skips readChunks' newline search and the joining of lines cut by a block boundary;
 * it is what keeps `logread --all` near `cat`. With `reuse`, every block is the same buffer (the caller
 * must not keep it); otherwise each block is freshly allocated.
 */
export function* readBlocks(
  fd: number,
  start: number | null,
  name: string,
  reuse: boolean,
  blockSize = COPY_BLOCK,
): Generator<Buffer> {
  let block = Buffer.allocUnsafe(blockSize);
  let position = start;
  for (;;) {
    let n: number;
    try {
      n = readSync(fd, block, 0, block.length, position);
    } catch (err) {
      // A descriptor left non-blocking by someone else: wait for data as a blocking read would.
      if (isErrno(err, 'EAGAIN')) {
        Atomics.wait(PAUSE, 0, 0, 2);
        continue;
      }
      if (isErrno(err, 'EOF')) return;
      throw new FileAccessError(name, err);
    }
    if (n === 0) return;
    if (position !== null) position += n;
    yield n === block.length ? block : block.subarray(0, n);
    if (!reuse) block = Buffer.allocUnsafe(blockSize);
  }
}

/** Copies an input from `start` (null: a stream) to its end; returns the number of bytes copied. */
export function copyToEnd(fd: number, start: number | null, out: BufferedOutput, name: string): number {
  let copied = 0;
  for (const block of readBlocks(fd, start, name, true)) {
    out.write(block);
    copied += block.length;
  }
  return copied;
}

const PAUSE = new Int32Array(new SharedArrayBuffer(4));
