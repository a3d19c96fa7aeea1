import { readSync } from 'node:fs';
import { skipNewlinesBackward } from './newline-scan.js';

const BACKWARD_BLOCK_SIZE = 64 * 1024;

/**
 * The byte offset where the last `lines` lines of `fd[0, end)` begin, found by reading fixed-size blocks
 * backwards from `end` and counting newlines, so the cost grows with the lines wanted, not with the file.
 * As in tail, a newline that ends the data closes the last line instead of opening an empty one, and a final
 * line without a newline still counts as a line. Returns `end` for `lines <= 0` and 0 when the data holds
 * fewer lines than asked for.
 * @internal Used inside the package and by its tests; not part of the public API.
 */
export function findTailStart(fd: number, end: number, lines: number, blockSize = BACKWARD_BLOCK_SIZE): number {
  if (lines <= 0 || end <= 0) return end;
  const block = Buffer.allocUnsafe(Math.min(blockSize, end));
  let blockStart = end;
  let remaining = lines;
  let atEnd = true;
  while (blockStart > 0) {
    const length = Math.min(block.length, blockStart);
    blockStart -= length;
    readExactly(fd, block, length, blockStart);
    // Newlines are searched in block[0, limit); the data's own final newline is skipped once.
    let limit = length;
    if (atEnd) {
      atEnd = false;
      if (block[length - 1] === 10) limit--;
    }
    const found = skipNewlinesBackward(block, limit, remaining);
    if (found.left === 0) return blockStart + found.offset;
    remaining = found.left;
  }
  return 0;
}

/** Fills `buf[0, length)` from `position`; a file that shrank under us reads as zero bytes past its new end. */
function readExactly(fd: number, buf: Buffer, length: number, position: number): void {
  let got = 0;
  while (got < length) {
    const n = readSync(fd, buf, got, length - got, position + got);
    if (n === 0) {
      buf.fill(0, got, length);
      return;
    }
    got += n;
  }
}
