import { InvalidInputError, STDIN_NAME } from '@esc/core';

/** How a line becomes a record (`esc produce --key`, `--key-separator`, `--tombstone`). */
export interface LineFormat {
  /** `--key`: the key of every record. */
  key?: string;
  /** `--key-separator`: each line is KEY<sep>VALUE, split at the first separator. */
  keySeparator?: string;
  /** Each line is a key with a null value. */
  tombstone?: boolean;
}

/** One block's records as columns: views into the block, valid until the append that takes them settles. */
export type AppendColumns = (keys: readonly (Buffer | null)[], values: readonly (Buffer | null)[]) => Promise<void>;

/**
 * Appends blocks of lines (each ending after a newline but the last), one append per block, awaited before the
 * next block is read: a producer holds one block and its records at a time, whatever the input's size, so its
 * memory stays bounded and a reader reusing one buffer (readChunks' reuseBuffer) is safe. The columns are
 * arrays refilled for every block, and each key and value is a view into the block (no copy): an append encodes
 * them before it settles. Returns the number of records.
 */
export async function produceLines(
  blocks: AsyncIterable<Buffer>,
  format: LineFormat,
  append: AppendColumns,
): Promise<number> {
  const separator = format.keySeparator === undefined ? null : Buffer.from(format.keySeparator);
  const fixedKey: Buffer | null = format.key === undefined ? null : Buffer.from(format.key);
  const tombstone = format.tombstone === true;
  const keys: (Buffer | null)[] = [];
  const values: (Buffer | null)[] = [];
  let lineNumber = 0;
  for await (const block of blocks) {
    let n = 0;
    let start = 0;
    while (start < block.length) {
      let end = block.indexOf(10, start);
      const next = end === -1 ? block.length : end + 1;
      if (end === -1) end = block.length;
      if (end > start && block[end - 1] === 13) end--;
      lineNumber++;
      // Views of the key and the value only (no view of the line): they are most of a producer's garbage.
      let key: Buffer | null = fixedKey;
      let value: Buffer | null;
      if (separator !== null) {
        const at = block.indexOf(separator, start);
        if (at === -1 || at + separator.length > end) {
          // The lines before it are stored, so the error's line number says exactly where to resume.
          if (n > 0) await appendFirst(keys, values, n, append);
          throw new InvalidInputError(`no key separator '${format.keySeparator}' found`, {
            path: STDIN_NAME,
            line: lineNumber,
          });
        }
        key = block.subarray(start, at);
        value = tombstone ? null : block.subarray(at + separator.length, end);
      } else if (tombstone) {
        key = block.subarray(start, end);
        value = null;
      } else value = block.subarray(start, end);
      keys[n] = key;
      values[n] = value;
      n++;
      start = next;
    }
    if (n > 0) await appendFirst(keys, values, n, append);
  }
  return lineNumber;
}

/** Appends the first `n` records of the columns (a block of fewer lines than the last: the arrays shrink to it). */
function appendFirst(
  keys: (Buffer | null)[],
  values: (Buffer | null)[],
  n: number,
  append: AppendColumns,
): Promise<void> {
  keys.length = n;
  values.length = n;
  return append(keys, values);
}
