import { closeSync, fstatSync, openSync, read, readSync } from 'node:fs';
import { restoreBlocking } from './blocking-stdio.js';
import { FileAccessError, isErrno } from './errors.js';

export const DEFAULT_CHUNK_SIZE = 1024 * 1024;

/** An opened input: a named file or standard input (`-`). */
export interface InputSource {
  /** The name to show the user: the path as given, or `(standard input)`. */
  readonly name: string;
  readonly fd: number;
  /** Size in bytes for a regular file (for progress and backwards reading), otherwise null. */
  readonly size: number | null;
  readonly isRegularFile: boolean;
  close(): void;
}

export const STDIN_NAME = '(standard input)';

/**
 * Opens `path` for reading (`-` is standard input). A missing file, a directory or a file without read
 * permission raises FileAccessError naming the path, the way GNU tools report it.
 */
export function openInput(path: string): InputSource {
  if (path === '-') {
    const st = safeFstat(0);
    const regular = st?.isFile() ?? false;
    return { name: STDIN_NAME, fd: 0, size: regular ? st!.size : null, isRegularFile: regular, close() {} };
  }
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (err) {
    throw new FileAccessError(path, err);
  }
  const st = fstatSync(fd);
  if (st.isDirectory()) {
    closeSync(fd);
    throw new FileAccessError(path, Object.assign(new Error('Is a directory'), { code: 'EISDIR' }));
  }
  let closed = false;
  return {
    name: path,
    fd,
    size: st.isFile() ? st.size : null,
    isRegularFile: st.isFile(),
    close() {
      if (!closed) {
        closed = true;
        closeSync(fd);
      }
    },
  };
}

function safeFstat(fd: number) {
  try {
    return fstatSync(fd);
  } catch {
    return null;
  }
}

export interface ReadChunksOptions {
  chunkSize?: number;
  /** Start reading at this byte offset (regular files only). */
  start?: number;
  /**
   * Read every block into one reused buffer: no allocation, page faults or garbage per block, which is
   * what a scan at memory speed needs. A yielded chunk is then only valid until the loop asks for the
   * next one (copy what you keep). Off by default, since callers such as logtail keep chunks.
   */
  reuseBuffer?: boolean;
}

/**
 * Reads `source` in large blocks and yields chunks that each end just after a newline, except the last,
 * which holds a final line without one. A line longer than a block is assembled from pieces, so memory is
 * bounded by max(chunk size, longest line). Consumers scan each chunk with Buffer.indexOf; there is no
 * per-line allocation here.
 */
export async function* readChunks(source: InputSource, options: ReadChunksOptions = {}): AsyncGenerator<Buffer> {
  if (options.reuseBuffer) {
    yield* readChunksReusing(source, options);
    return;
  }
  const chunkSize = options.chunkSize ?? DEFAULT_CHUNK_SIZE;
  let position = options.start ?? 0;
  const positional = source.isRegularFile;
  // Pieces of an unfinished line (no newline yet), joined once its end is found.
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  for (;;) {
    const buf = Buffer.allocUnsafe(chunkSize);
    let n: number;
    try {
      n = positional ? readSync(source.fd, buf, 0, chunkSize, position) : await readStream(source.fd, buf);
    } catch (err) {
      throw new FileAccessError(source.name, err);
    }
    if (n === 0) break;
    position += n;
    const data = buf.subarray(0, n);
    const lastNl = data.lastIndexOf(10);
    if (lastNl === -1) {
      pending.push(data);
      pendingBytes += n;
      continue;
    }
    let out: Buffer;
    if (pendingBytes > 0) {
      pending.push(data.subarray(0, lastNl + 1));
      out = Buffer.concat(pending, pendingBytes + lastNl + 1);
      pending = [];
      pendingBytes = 0;
    } else {
      out = data.subarray(0, lastNl + 1);
    }
    if (lastNl + 1 < n) {
      pending.push(data.subarray(lastNl + 1));
      pendingBytes = n - lastNl - 1;
    }
    yield out;
  }
  if (pendingBytes > 0) yield pending.length === 1 ? pending[0]! : Buffer.concat(pending, pendingBytes);
}

/**
 * readChunks with one buffer: the unfinished line at the end of a block moves to the front and the next
 * read appends to it. A line longer than the buffer doubles it; once such a line is out, the buffer goes
 * back to `chunkSize`, so memory follows the longest line only while it is being read.
 */
async function* readChunksReusing(source: InputSource, options: ReadChunksOptions): AsyncGenerator<Buffer> {
  const chunkSize = options.chunkSize ?? DEFAULT_CHUNK_SIZE;
  let position = options.start ?? 0;
  let buf = Buffer.allocUnsafe(chunkSize);
  let carry = 0;
  for (;;) {
    if (carry === buf.length) {
      const bigger = Buffer.allocUnsafe(buf.length * 2);
      buf.copy(bigger, 0, 0, carry);
      buf = bigger;
    }
    const n = readBlock(source, buf, carry, position);
    const got = typeof n === 'number' ? n : await n;
    if (got === 0) break;
    position += got;
    const end = carry + got;
    // Only the new bytes can hold a newline (the carried part has none): never rescan a long line.
    const inNew = buf.subarray(carry, end).lastIndexOf(10);
    const lastNl = carry + inNew;
    if (inNew === -1) {
      carry = end;
      continue;
    }
    yield buf.subarray(0, lastNl + 1);
    carry = end - lastNl - 1;
    if (buf.length > chunkSize && carry < chunkSize) {
      const normal = Buffer.allocUnsafe(chunkSize);
      buf.copy(normal, 0, lastNl + 1, end);
      buf = normal;
    } else if (carry > 0) {
      buf.copy(buf, 0, lastNl + 1, end);
    }
  }
  if (carry > 0) yield buf.subarray(0, carry);
}

/** One read into `buf[offset..]`: synchronous for a regular file, asynchronous for a pipe or terminal. */
function readBlock(source: InputSource, buf: Buffer, offset: number, position: number): number | Promise<number> {
  try {
    if (source.isRegularFile) return readSync(source.fd, buf, offset, buf.length - offset, position);
  } catch (err) {
    throw new FileAccessError(source.name, err);
  }
  return readStream(source.fd, buf.subarray(offset)).catch((err: unknown) => {
    throw new FileAccessError(source.name, err);
  });
}

/** Reads from a pipe or terminal; waits and retries when a non-blocking descriptor has nothing yet. */
function readStream(fd: number, buf: Buffer): Promise<number> {
  let triedBlocking = false;
  return new Promise((resolve, reject) => {
    const attempt = () =>
      read(fd, buf, 0, buf.length, null, (err, n) => {
        if (err) {
          // A pipe Node made non-blocking has nothing yet: make it blocking again (the read runs on libuv's
          // thread pool, so blocking there is harmless), else poll.
          if (isErrno(err, 'EAGAIN')) {
            const blocking = !triedBlocking && restoreBlocking(fd);
            triedBlocking = true;
            if (blocking) attempt();
            else setTimeout(attempt, 5);
          } else if (isErrno(err, 'EOF')) resolve(0);
          else reject(err);
        } else resolve(n);
      });
    attempt();
  });
}

/**
 * Yields every line of `source` without its `\n` (a `\r` before it is kept: callers that want CRLF folded
 * use `stripCr`). Convenient for parsers; the search hot loop works on chunks instead.
 */
export async function* readLines(source: InputSource, options: ReadChunksOptions = {}): AsyncGenerator<Buffer> {
  for await (const chunk of readChunks(source, options)) {
    let start = 0;
    for (;;) {
      const nl = chunk.indexOf(10, start);
      if (nl === -1) {
        if (start < chunk.length) yield chunk.subarray(start);
        break;
      }
      yield chunk.subarray(start, nl);
      start = nl + 1;
    }
  }
}

/** The line without a trailing `\r` (CRLF files). */
export function stripCr(line: Buffer): Buffer {
  return line.length > 0 && line[line.length - 1] === 13 ? line.subarray(0, line.length - 1) : line;
}

/** GNU grep's rule for binary data in a byte-oriented locale: the buffer holds a NUL byte. */
export function hasBinaryData(chunk: Uint8Array): boolean {
  return chunk.indexOf(0) !== -1;
}

/** Number of `\n` bytes in `buf[start, end)`: line numbers are counted lazily, only where output needs them. */
export function countNewlines(buf: Uint8Array, start = 0, end = buf.length): number {
  let count = 0;
  const b = buf as Buffer;
  for (let at = b.indexOf(10, start); at !== -1 && at < end; at = b.indexOf(10, at + 1)) count++;
  return count;
}
