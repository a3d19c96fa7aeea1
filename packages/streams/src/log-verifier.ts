import { closeSync, openSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { EscError, isErrno } from '@esc/core';
import { OFFSET_INDEX_ENTRY_SIZE, OffsetIndex } from './offset-index.js';
import { decodeBatchHeader, decodeRecords, lastOffset } from './record-batch.js';
import { BatchCursor, listSegments, segmentFiles } from './segment.js';
import { TIME_INDEX_ENTRY_SIZE, TimeIndex } from './time-index.js';

export interface VerifyProblem {
  file: string;
  /** Byte position in the file. */
  offset: number;
  message: string;
}

export interface PartitionVerifyReport {
  dir: string;
  segments: number;
  batches: number;
  records: number;
  bytes: number;
  problems: VerifyProblem[];
}

/**
 * Checks every segment of a partition, writing nothing: each batch's CRC and structure and its records,
 * offsets increasing across batches and segments, every offset index entry against the batch it names, every
 * time index entry against the largest timestamp before its offset. A partial batch at the end of the active
 * segment is reported too (a torn tail the next writer will cut, or a write in progress).
 */
export function verifyPartition(dir: string): PartitionVerifyReport {
  const report: PartitionVerifyReport = { dir, segments: 0, batches: 0, records: 0, bytes: 0, problems: [] };
  const bases = listSegments(dir);
  let previousLast = -1;
  for (const [i, base] of bases.entries()) {
    const files = segmentFiles(dir, base);
    report.segments++;
    const problem = (file: string, offset: number, message: string) => report.problems.push({ file, offset, message });
    if (base <= previousLast) problem(files.log, 0, `segment base offset ${base} is not past offset ${previousLast}`);
    let fd: number;
    try {
      fd = openSync(files.log, 'r');
    } catch (err) {
      if (isErrno(err, 'ENOENT')) continue;
      problem(files.log, 0, (err as Error).message);
      continue;
    }
    /** Batch start position -> [base offset, largest timestamp of the segment before it]. */
    const batches = new Map<number, [number, number]>();
    let maxTimestamp = Number.NEGATIVE_INFINITY;
    try {
      report.bytes += statSync(files.log).size;
      const cursor = new BatchCursor(fd, 0, files.log);
      for (;;) {
        const step = cursor.next();
        if (step.kind === 'end') break;
        if (step.kind !== 'batch') {
          const active = i === bases.length - 1;
          problem(
            files.log,
            step.position,
            step.kind === 'bad'
              ? step.reason
              : active
                ? 'batch cut short at the end of the active segment (a torn tail, or a write in progress)'
                : 'batch cut short in a closed segment',
          );
          break;
        }
        const h = decodeBatchHeader(step.batch);
        if (h.baseOffset <= previousLast || h.baseOffset < base)
          problem(files.log, step.position, `batch offset ${h.baseOffset} does not follow offset ${previousLast}`);
        try {
          report.records += decodeRecords(step.batch).length;
        } catch (err) {
          problem(files.log, step.position, (err as Error).message);
        }
        batches.set(step.position, [h.baseOffset, maxTimestamp]);
        if (h.maxTimestamp > maxTimestamp) maxTimestamp = h.maxTimestamp;
        previousLast = lastOffset(h);
        report.batches++;
      }
    } finally {
      closeSync(fd);
    }
    checkIndexes(files, batches, problem);
  }
  for (const name of safeList(dir))
    if (name.endsWith('.cleaned'))
      report.problems.push({
        file: join(dir, name),
        offset: 0,
        message: 'leftover of an unfinished compaction (removed by the next one)',
      });
  return report;
}

function checkIndexes(
  files: ReturnType<typeof segmentFiles>,
  batches: Map<number, [number, number]>,
  problem: (file: string, offset: number, message: string) => void,
): void {
  let index: OffsetIndex | undefined;
  try {
    const loaded = OffsetIndex.load(files.index, files.baseOffset);
    if (loaded === null) problem(files.index, 0, 'offset index is missing (a writer rebuilds it)');
    else if (loaded.torn)
      problem(files.index, loaded.index.length * OFFSET_INDEX_ENTRY_SIZE, 'offset index ends in a partial entry');
    index = loaded?.index;
  } catch (err) {
    if (!(err instanceof EscError)) throw err;
    problem(files.index, err.offset ?? 0, err.message);
  }
  for (let e = 0; index !== undefined && e < index.length; e++) {
    const at = batches.get(index.positions[e]!);
    const offset = files.baseOffset + index.relativeOffsets[e]!;
    if (at === undefined || at[0] !== offset)
      problem(
        files.index,
        e * OFFSET_INDEX_ENTRY_SIZE,
        `entry (offset ${offset}, position ${index.positions[e]}) does not point at a batch with that offset`,
      );
  }
  try {
    const loaded = TimeIndex.load(files.timeIndex, files.baseOffset);
    if (loaded === null) {
      problem(files.timeIndex, 0, 'time index is missing (a writer rebuilds it)');
      return;
    }
    if (loaded.torn)
      problem(files.timeIndex, loaded.index.length * TIME_INDEX_ENTRY_SIZE, 'time index ends in a partial entry');
    const byOffset = new Map([...batches.values()].map(([o, t]) => [o, t]));
    const time = loaded.index;
    for (let e = 0; e < time.length; e++) {
      const offset = files.baseOffset + time.relativeOffsets[e]!;
      const expected = byOffset.get(offset);
      if (expected === undefined || expected !== time.timestamps[e])
        problem(
          files.timeIndex,
          e * TIME_INDEX_ENTRY_SIZE,
          expected === undefined
            ? `entry names offset ${offset}, where no batch starts`
            : `entry says timestamp ${time.timestamps[e]} before offset ${offset}, the log says ${expected}`,
        );
    }
  } catch (err) {
    if (!(err instanceof EscError)) throw err;
    problem(files.timeIndex, err.offset ?? 0, err.message);
  }
}

function safeList(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}
