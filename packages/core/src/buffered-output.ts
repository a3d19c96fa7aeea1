import { writeSync } from 'node:fs';
import { restoreBlocking } from './blocking-stdio.js';
import { BrokenPipeError } from './errors.js';
import { Utf8Replacer } from './utf8-replacer.js';
import { isTerminal } from './is-terminal.js';

const DEFAULT_BLOCK = 64 * 1024;

export interface BufferedOutputOptions {
  /**
   * Write invalid UTF-8 as U+FFFD. Default: only when the descriptor is a terminal, which shows text; into a
   * pipe or a file the bytes go out unchanged, as GNU grep, head and tail write them.
   */
  replaceInvalidUtf8?: boolean;
}

/**
 * Writes to a file descriptor in large blocks with synchronous writes. Synchronous writes keep memory
 * constant (no unbounded queue behind a slow reader) and let a closed pipe surface at once as
 * BrokenPipeError, which the CLI turns into a quiet exit 0, so `esc … | head` stops reading early.
 * On a terminal, invalid UTF-8 is shown as U+FFFD (see BufferedOutputOptions); a character cut between two
 * blocks is carried over, and only `flush()` ends one that is still unfinished.
 */
export class BufferedOutput {
  private block: Buffer;
  private used = 0;
  private readonly replacer: Utf8Replacer | null;

  constructor(
    private readonly fd = 1,
    blockSize = DEFAULT_BLOCK,
    options: BufferedOutputOptions = {},
  ) {
    this.block = Buffer.allocUnsafe(blockSize);
    this.replacer = (options.replaceInvalidUtf8 ?? isTerminal(fd)) ? new Utf8Replacer() : null;
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
      this.writeBlock();
      if (data.length >= this.block.length) {
        this.emit(data);
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
      this.writeBlock();
      if (len >= this.block.length) {
        this.emit(data.subarray(start, end));
        return;
      }
    }
    data.copy(this.block, this.used, start, end);
    this.used += len;
  }

  /** Writes everything written so far (on a terminal, a character left unfinished shows as U+FFFD). */
  flush(): void {
    this.writeBlock();
    if (this.replacer !== null) {
      const rest = this.replacer.end();
      if (rest.length > 0) writeFully(this.fd, rest);
    }
  }

  /** Writes the collected block out (room for more); on a terminal an unfinished last character waits. */
  private writeBlock(): void {
    if (this.used === 0) return;
    const pending = this.block.subarray(0, this.used);
    this.used = 0;
    this.emit(pending);
  }

  private emit(data: Uint8Array): void {
    writeFully(this.fd, this.replacer === null ? data : this.replacer.push(data));
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
