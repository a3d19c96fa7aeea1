import { isAscii } from 'node:buffer';
import { readChunks, type InputSource } from '@esc/core';

/**
 * 64 KiB: a decoded chunk stays below V8's large-object size, so it dies young in a cheap scavenge instead
 * of piling up in large-object space until a full collection (which showed as +40 MiB of peak RSS with
 * 1 MiB chunks).
 */
const TEXT_CHUNK_SIZE = 64 * 1024;

/**
 * Reads `source` as text through core's line source (`readChunks` with one reused buffer), so the parser
 * has the same line semantics as loggrep: chunks end just after a newline, the last may hold a final line
 * without one, CR bytes are kept (the parser drops a `\r` before `\n`), a line longer than the buffer is
 * assembled and memory follows the longest line. A chunk never ends inside a character (it ends at a
 * newline), so each is decoded on its own: ASCII as Latin-1 (V8 copies it straight into a one-byte string),
 * anything else as UTF-8, invalid bytes becoming U+FFFD. `onBytes` reports the bytes read so far.
 */
export async function* readTextChunks(
  source: InputSource,
  onBytes?: (bytes: number) => void,
  chunkSize = TEXT_CHUNK_SIZE,
): AsyncGenerator<string> {
  let total = 0;
  for await (const chunk of readChunks(source, { chunkSize, reuseBuffer: true })) {
    total += chunk.length;
    onBytes?.(total);
    yield isAscii(chunk) ? chunk.toString('latin1') : chunk.toString('utf8');
  }
}
