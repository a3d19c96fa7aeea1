import { closeSync, openSync, statSync, unlinkSync } from 'node:fs';
import { FileAccessError, isErrno } from '@esc/core';
import { OffsetIndex } from './offset-index.js';
import { decodeBatchHeader } from './record-batch.js';
import { BatchCursor, listSegments, segmentFiles } from './segment.js';
import { TimeIndex } from './time-index.js';
import { deletes, type TopicConfig } from './topic-config.js';

/**
 * The largest record timestamp in a segment (-Infinity if it has none): the last time index entry holds the
 * largest before its batch, so only the batches from there on are read (at most indexIntervalBytes or so).
 */
export function segmentMaxTimestamp(dir: string, baseOffset: number): number {
  const files = segmentFiles(dir, baseOffset);
  const time = TimeIndex.load(files.timeIndex, baseOffset)?.index;
  const index = OffsetIndex.load(files.index, baseOffset)?.index;
  let max = Number.NEGATIVE_INFINITY;
  let position = 0;
  if (time !== undefined && index !== undefined && time.length > 0 && time.length === index.length) {
    max = time.timestamps[time.length - 1]!;
    position = index.positions[index.length - 1]!;
  }
  let fd: number;
  try {
    fd = openSync(files.log, 'r');
  } catch (err) {
    throw new FileAccessError(files.log, err);
  }
  try {
    const cursor = new BatchCursor(fd, position, files.log);
    for (let step = cursor.next(); step.kind === 'batch'; step = cursor.next()) {
      const t = decodeBatchHeader(step.batch).maxTimestamp;
      if (t > max) max = t;
    }
  } finally {
    closeSync(fd);
  }
  return max;
}

export interface RetentionResult {
  /** Base offsets of the segments deleted. */
  deleted: number[];
  /** The log start offset afterwards. */
  earliest: number;
}

/**
 * Kafka's delete retention for one partition: closed segments, oldest first, are deleted while the segment's
 * newest record is older than retentionMs, then while the partition stays at least retentionBytes without
 * the segment. The active segment is never deleted, and a segment holding a young record never is either.
 * The .log file goes first: from then on no reader or writer lists the segment.
 */
export function applyRetention(dir: string, config: TopicConfig, now: number): RetentionResult {
  const bases = listSegments(dir);
  const deleted: number[] = [];
  if (!deletes(config.cleanupPolicy) || bases.length < 2) return { deleted, earliest: bases[0] ?? 0 };
  const closed = bases.slice(0, -1);
  let i = 0;
  if (config.retentionMs >= 0)
    while (i < closed.length && now - segmentMaxTimestamp(dir, closed[i]!) > config.retentionMs) i++;
  if (config.retentionBytes >= 0) {
    const sizes = bases.map((b) => fileSize(segmentFiles(dir, b).log));
    let total = sizes.slice(i).reduce((a, b) => a + b, 0);
    while (i < closed.length && total - sizes[i]! >= config.retentionBytes) total -= sizes[i++]!;
  }
  for (const base of closed.slice(0, i)) {
    const files = segmentFiles(dir, base);
    for (const path of [files.log, files.index, files.timeIndex]) removeIfThere(path);
    deleted.push(base);
  }
  return { deleted, earliest: bases[i]! };
}

function fileSize(path: string): number {
  try {
    return statSync(path).size;
  } catch (err) {
    if (isErrno(err, 'ENOENT')) return 0;
    throw new FileAccessError(path, err);
  }
}

function removeIfThere(path: string): void {
  try {
    unlinkSync(path);
  } catch (err) {
    if (!isErrno(err, 'ENOENT')) throw new FileAccessError(path, err);
  }
}
