import { fstatSync } from 'node:fs';

/**
 * `tty.isatty(fd)`, without loading node:tty where the answer is plainly no. Importing node:tty loads node:net
 * and the stream-socket machinery behind it (~10 M instructions, 3–4 ms of a ~40 ms `esc kv get`), and most
 * output goes to a pipe or a file: only a character device can be a terminal.
 */
export function isTerminal(fd: number): boolean {
  try {
    if (!fstatSync(fd).isCharacterDevice()) return false;
  } catch {
    return false;
  }
  return process.getBuiltinModule('node:tty').isatty(fd);
}
