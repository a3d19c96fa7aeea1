import { unlinkSync } from 'node:fs';
import { FileAccessError, isErrno } from '@esc/core';
import { listSegments, segmentFiles } from './segment.js';

/**
 * Kafka's DeleteRecords for an owner that keeps its own log start offset (the server's XTRIM): deletes the
 * closed segments of a partition whose records all lie below `offset`, oldest first, and returns their base
 * offsets. The active segment is never deleted, so the next offset is kept. The .log file goes first: from
 * then on no reader or writer lists the segment (a reader still inside it keeps its open file; one that wants
 * an offset below the new log start gets OffsetOutOfRangeError, as after retention). No lock is taken: only
 * closed segments are touched, which writers never write, and a file another process deleted first is skipped.
 */
export function deleteSegmentsBelow(partitionDir: string, offset: number): number[] {
  const bases = listSegments(partitionDir);
  const deleted: number[] = [];
  for (let i = 0; i + 1 < bases.length && bases[i + 1]! <= offset; i++) {
    const files = segmentFiles(partitionDir, bases[i]!);
    for (const path of [files.log, files.index, files.timeIndex]) {
      try {
        unlinkSync(path);
      } catch (err) {
        if (!isErrno(err, 'ENOENT')) throw new FileAccessError(path, err);
      }
    }
    deleted.push(bases[i]!);
  }
  return deleted;
}
