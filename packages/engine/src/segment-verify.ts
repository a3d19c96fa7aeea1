import { CorruptionError } from '@esc/core';
import type { SegmentReader } from './segment-reader.js';

export interface VerifyProblem {
  file: string;
  offset: number;
  message: string;
}

/** Checks every checksum of a segment, reading each data block past the cache; problems carry file and offset. */
export function verifySegment(r: SegmentReader): VerifyProblem[] {
  if (r.loadError) return [{ file: r.path, offset: r.loadError.offset ?? 0, message: r.loadError.message }];
  const problems: VerifyProblem[] = [];
  for (let i = 0; i < r.blockCount; i++) {
    try {
      r.readBlockUncached(i).validate();
    } catch (err) {
      if (!(err instanceof CorruptionError)) throw err;
      problems.push({ file: r.path, offset: err.offset ?? r.blockOffset(i), message: err.message });
    }
  }
  return problems;
}
