import { closeSync, fstatSync, ftruncateSync, openSync, readSync, writeSync } from 'node:fs';
import { CorruptionError, FileAccessError, writeFileAtomicSync } from '@esc/core';
import { OFFSET_INDEX_ENTRY_SIZE, OffsetIndex } from './offset-index.js';
import { BATCH_HEADER_SIZE, decodeBatchHeader, lastOffset, readI64 } from './record-batch.js';
import { BatchCursor, type SegmentFiles, zerosFrom } from './segment.js';
import { TIME_INDEX_ENTRY_SIZE, TimeIndex } from './time-index.js';

/** What a writer needs to know about the active segment to append to it. */
export interface SegmentTail {
  files: SegmentFiles;
  /** Size of the log file: where the next batch goes. */
  size: number;
  /** The offset the next record gets. */
  nextOffset: number;
  /** Timestamp of the segment's first batch (for segmentMs), null while it is empty. */
  firstTimestamp: number | null;
  /** Largest record timestamp in the segment, -Infinity while it is empty. */
  maxTimestamp: number;
  /** Position of the batch of the last index entry (0 if none): the next entry is due interval bytes later. */
  lastIndexedPosition: number;
  index: OffsetIndex;
  timeIndex: TimeIndex;
}

/**
 * Brings the active segment of a partition to a state a writer can append to, as Kafka's LogLoader recovers
 * the segments after the recovery point. Runs under the topic's write lock, so no other process is writing:
 *  - the log is checked from its last index entry to its end; a partial or damaged batch there (a batch that
 *    runs to or past the end, or only zeros after it) is a torn tail: the file is cut there with one warning;
 *  - a damaged batch with good data after it is a CorruptionError naming the file and position;
 *  - an index that is missing or torn (not whole entries), or a time index that does not match it, is rebuilt
 *    from the log with a warning; index entries past a cut tail are dropped.
 * On return the index files hold exactly the returned entries.
 */
export function recoverActiveSegment(
  logFd: number,
  files: SegmentFiles,
  indexIntervalBytes: number,
  onWarning: (message: string) => void,
): SegmentTail {
  let size = fstatSync(logFd).size;
  const loadedIndex = OffsetIndex.load(files.index, files.baseOffset);
  const loadedTime = TimeIndex.load(files.timeIndex, files.baseOffset);
  const rebuild =
    loadedIndex === null ||
    loadedTime === null ||
    loadedIndex.torn ||
    loadedTime.torn ||
    !sameOffsets(loadedIndex.index, loadedTime.index);
  const index = rebuild ? new OffsetIndex(files.index, files.baseOffset) : loadedIndex.index;
  const timeIndex = rebuild ? new TimeIndex(files.timeIndex, files.baseOffset) : loadedTime!.index;
  const persisted = { index: index.length, time: timeIndex.length };
  if (!rebuild) {
    index.truncateToPosition(size);
    timeIndex.truncateToLength(index.length);
  }

  const start = index.length > 0 ? index.positions[index.length - 1]! : 0;
  let maxTimestamp = timeIndex.length > 0 ? timeIndex.timestamps[timeIndex.length - 1]! : Number.NEGATIVE_INFINITY;
  let previousLast =
    index.length > 0 ? files.baseOffset + index.relativeOffsets[index.length - 1]! - 1 : files.baseOffset - 1;
  let lastIndexedPosition = start;
  let firstTimestamp: number | null = start > 0 ? readFirstTimestamp(logFd, files.log) : null;

  const cursor = new BatchCursor(logFd, start, files.log);
  for (;;) {
    const step = cursor.next();
    if (step.kind === 'end') break;
    if (step.kind === 'batch') {
      const h = decodeBatchHeader(step.batch);
      if (step.position === start && start > 0 && h.baseOffset !== previousLast + 1)
        throw new CorruptionError(
          `offset index entry names offset ${previousLast + 1} but the batch at position ${start} starts at ${h.baseOffset}`,
          { path: files.index, offset: (index.length - 1) * OFFSET_INDEX_ENTRY_SIZE },
        );
      if (h.baseOffset <= previousLast)
        throw new CorruptionError(`batch offset ${h.baseOffset} does not follow offset ${previousLast}`, {
          path: files.log,
          offset: step.position,
        });
      if (step.position === 0) firstTimestamp = h.baseTimestamp;
      const indexed = index.length > 0 && index.positions[index.length - 1] === step.position;
      if (!indexed && step.position > 0 && step.position - lastIndexedPosition >= indexIntervalBytes) {
        index.push(h.baseOffset - files.baseOffset, step.position);
        timeIndex.push(maxTimestamp, h.baseOffset - files.baseOffset);
        lastIndexedPosition = step.position;
      }
      if (h.maxTimestamp > maxTimestamp) maxTimestamp = h.maxTimestamp;
      previousLast = lastOffset(h);
      continue;
    }
    const torn = step.kind === 'partial' || step.claimedEnd >= size || zerosFrom(logFd, step.position, size);
    if (!torn)
      throw new CorruptionError(step.kind === 'bad' ? step.reason : 'damaged batch', {
        path: files.log,
        offset: step.position,
      });
    ftruncateSync(logFd, step.position);
    onWarning(
      `${files.log}: torn tail cut at offset ${step.position} (${size - step.position} bytes of an unfinished write)`,
    );
    size = step.position;
    break;
  }

  if (rebuild) {
    if (loadedIndex !== null || loadedTime !== null || size > 0)
      onWarning(`${files.index}: rebuilt the offset and time indexes from ${files.log}`);
    writeFileAtomicSync(files.index, index.encode());
    writeFileAtomicSync(files.timeIndex, timeIndex.encode());
  } else {
    syncIndexFile(files.index, index.encode(), persisted.index, index.length, OFFSET_INDEX_ENTRY_SIZE);
    syncIndexFile(files.timeIndex, timeIndex.encode(), persisted.time, timeIndex.length, TIME_INDEX_ENTRY_SIZE);
  }
  return {
    files,
    size,
    nextOffset: previousLast + 1,
    firstTimestamp: size === 0 ? null : firstTimestamp,
    maxTimestamp,
    lastIndexedPosition,
    index,
    timeIndex,
  };
}

function sameOffsets(index: OffsetIndex, time: TimeIndex): boolean {
  if (index.length !== time.length) return false;
  for (let i = 0; i < index.length; i++) if (index.relativeOffsets[i] !== time.relativeOffsets[i]) return false;
  return true;
}

/** Makes the file hold exactly `length` entries: cuts entries past it, writes those it did not have. */
function syncIndexFile(path: string, all: Buffer, persisted: number, length: number, entrySize: number): void {
  const fd = openSync(path, 'r+');
  try {
    if (fstatSync(fd).size !== length * entrySize) ftruncateSync(fd, Math.min(persisted, length) * entrySize);
    if (length > persisted) {
      const from = persisted * entrySize;
      writeSync(fd, all, from, all.length - from, from);
    }
  } finally {
    closeSync(fd);
  }
}

function readFirstTimestamp(fd: number, path: string): number | null {
  const header = Buffer.alloc(BATCH_HEADER_SIZE);
  let got: number;
  try {
    got = readSync(fd, header, 0, BATCH_HEADER_SIZE, 0);
  } catch (err) {
    throw new FileAccessError(path, err);
  }
  return got < BATCH_HEADER_SIZE ? null : readI64(header, 22);
}
