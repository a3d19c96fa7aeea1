import { readFileSync } from 'node:fs';
import { FileAccessError, isErrno } from '@esc/core';

/** The bytes of an index file cut to whole entries, whether a partial entry followed, or null if it is missing. */
export function readIndexFile(path: string, entrySize: number): { bytes: Buffer; torn: boolean } | null {
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (err) {
    if (isErrno(err, 'ENOENT')) return null;
    throw new FileAccessError(path, err);
  }
  const whole = bytes.length - (bytes.length % entrySize);
  return { bytes: bytes.subarray(0, whole), torn: whole !== bytes.length };
}
