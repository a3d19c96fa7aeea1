import { closeSync, fsyncSync, openSync, statSync, writeSync } from 'node:fs';
import { CorruptionError, FileAccessError } from '@esc/core';
import { OffsetIndex } from './offset-index.js';
import {
  decodeBatchHeader,
  decodeRecords,
  encodeBatch,
  filterBatch,
  type LogRecord,
  type RecordView,
  readBaseOffset,
  scanKeys,
} from './record-batch.js';
import { BatchCursor, segmentFiles } from './segment.js';
import { TimeIndex } from './time-index.js';

/** Suffix of a cleaned segment's files before the swap (`00…00.log.cleaned`), as Kafka's. */
export const CLEANED_SUFFIX = '.cleaned';

/** One cleaning pass over the closed segments of a partition, as Kafka's LogCleaner does it. */
export interface CleanJob {
  dir: string;
  /** Closed segments from the log start to the end of the cleanable part, in order. */
  segments: number[];
  /** Offsets at or past this were never cleaned: the dirty part, where the key map is built. */
  firstDirty: number;
  /** Offsets below this are cleaned; the segments end here. */
  cleanableEnd: number;
  now: number;
  /** When the clean part `[.., firstDirty)` was first cleaned, by ranges of offsets in order. */
  firstCleaned: FirstCleaned[];
  deleteRetentionMs: number;
  segmentBytes: number;
  indexIntervalBytes: number;
}

/** The offsets below `end` (and at or past the previous range's end) were first cleaned at `at` (ms). */
export interface FirstCleaned {
  end: number;
  at: number;
}

/** A group of consecutive source segments rewritten as one (named by the first one's base offset). */
export interface CleanedGroup {
  base: number;
  sources: number[];
  bytesIn: number;
  bytesOut: number;
  recordsIn: number;
  recordsOut: number;
}

/**
 * Builds the map of the latest offset of every key in the dirty part, then rewrites every source segment
 * group into `<base>.log.cleaned` (+ indexes), keeping a record unless a later record has its key, and
 * dropping a tombstone deleteRetentionMs after its part of the log was first cleaned. Offsets and
 * order are kept (gaps appear); keyless records are kept. Files are synced; nothing is renamed here.
 * Pure file work, so it runs in a worker thread (cleaner-worker.ts).
 */
export function runCleanJob(job: CleanJob): CleanedGroup[] {
  const latest = new Map<string, number>();
  for (const base of job.segments) {
    forEachBatch(
      job.dir,
      base,
      (batch) => {
        if (readBaseOffset(batch, 0) + batch.readUInt32BE(18) < job.firstDirty) return;
        scanKeys(batch, (key, offset) => {
          if (offset >= job.firstDirty && offset < job.cleanableEnd) latest.set(key, offset);
        });
      },
      false,
    );
  }
  const groups: CleanedGroup[] = [];
  let current: number[] = [];
  let currentBytes = 0;
  for (const base of job.segments) {
    const size = statSync(segmentFiles(job.dir, base).log).size;
    if (current.length > 0 && currentBytes + size > job.segmentBytes) {
      groups.push(cleanGroup(job, current, latest));
      current = [];
      currentBytes = 0;
    }
    current.push(base);
    currentBytes += size;
  }
  if (current.length > 0) groups.push(cleanGroup(job, current, latest));
  return groups;
}

function cleanGroup(job: CleanJob, sources: number[], latest: Map<string, number>): CleanedGroup {
  const base = sources[0]!;
  const out = segmentFiles(job.dir, base);
  const logFd = openSync(out.log + CLEANED_SUFFIX, 'w', 0o644);
  const index = new OffsetIndex(out.index + CLEANED_SUFFIX, base);
  const time = new TimeIndex(out.timeIndex + CLEANED_SUFFIX, base);
  const group: CleanedGroup = { base, sources, bytesIn: 0, bytesOut: 0, recordsIn: 0, recordsOut: 0 };
  let maxTimestamp = Number.NEGATIVE_INFINITY;
  let lastIndexed = 0;
  try {
    for (const source of sources) {
      group.bytesIn += statSync(segmentFiles(job.dir, source).log).size;
      forEachBatch(
        job.dir,
        source,
        (input) => {
          const count = input.readUInt32BE(38);
          group.recordsIn += count;
          let kept = filterBatch(input, (r) => keep(r, job, latest));
          if (kept === undefined) {
            // A timestamp delta that does not fit against the new base: decode and encode instead.
            const records = decodeRecords(input).filter((r) =>
              keep(
                {
                  offset: r.offset,
                  timestamp: r.timestamp,
                  key: r.key?.toString('latin1') ?? null,
                  tombstone: r.value === null,
                },
                job,
                latest,
              ),
            );
            kept = records.length === 0 ? null : encodeBatch(records);
          }
          if (kept === null) return;
          const position = group.bytesOut;
          const first = readBaseOffset(kept, 0);
          if (position > 0 && position - lastIndexed >= job.indexIntervalBytes) {
            index.push(first - base, position);
            time.push(maxTimestamp, first - base);
            lastIndexed = position;
          }
          writeAll(logFd, kept, position);
          group.bytesOut += kept.length;
          group.recordsOut += kept.readUInt32BE(38);
          const batchMax = decodeBatchHeader(kept).maxTimestamp;
          if (batchMax > maxTimestamp) maxTimestamp = batchMax;
        },
        false,
      );
    }
    fsyncSync(logFd);
  } finally {
    closeSync(logFd);
  }
  for (const [path, bytes] of [
    [index.path, index.encode()],
    [time.path, time.encode()],
  ] as const) {
    const fd = openSync(path, 'w', 0o644);
    try {
      writeAll(fd, bytes, 0);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  }
  return group;
}

function keep(r: RecordView, job: CleanJob, latest: Map<string, number>): boolean {
  if (r.key === null) return true;
  const newest = latest.get(r.key);
  if (newest !== undefined && newest > r.offset) return false;
  // A tombstone stays while consumers may still need to see the delete: in the dirty part (cleaned for the
  // first time now) always, in the clean part until deleteRetentionMs after that part was first cleaned, as
  // Kafka counts it (not from the record's timestamp, which may be old when the record is produced).
  if (
    r.tombstone &&
    r.offset < job.firstDirty &&
    firstCleanedAt(job.firstCleaned, r.offset) + job.deleteRetentionMs <= job.now
  )
    return false;
  return true;
}

/** When the clean-part offset `offset` was first cleaned: the first range that ends past it. */
function firstCleanedAt(ranges: FirstCleaned[], offset: number): number {
  let lo = 0;
  let hi = ranges.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (ranges[mid]!.end > offset) hi = mid;
    else lo = mid + 1;
  }
  // planClean covers the whole clean part; past the last range would be a bug, so keep the tombstone.
  return ranges[lo]?.at ?? Number.POSITIVE_INFINITY;
}

function forEachBatch(dir: string, base: number, fn: (records: LogRecord[]) => void): void;
function forEachBatch(dir: string, base: number, fn: (batch: Buffer) => void, decode: false): void;
function forEachBatch(
  dir: string,
  base: number,
  fn: ((records: LogRecord[]) => void) | ((batch: Buffer) => void),
  decode = true,
): void {
  const { log } = segmentFiles(dir, base);
  let fd: number;
  try {
    fd = openSync(log, 'r');
  } catch (err) {
    throw new FileAccessError(log, err);
  }
  try {
    const cursor = new BatchCursor(fd, 0, log);
    for (;;) {
      const step = cursor.next();
      if (step.kind === 'end') return;
      if (step.kind !== 'batch')
        throw new CorruptionError(step.kind === 'bad' ? step.reason : 'batch cut short in a closed segment', {
          path: log,
          offset: step.position,
        });
      if (!decode) {
        (fn as (batch: Buffer) => void)(step.batch);
        continue;
      }
      let records: LogRecord[];
      try {
        records = decodeRecords(step.batch);
      } catch (err) {
        throw new CorruptionError((err as Error).message, { path: log, offset: step.position });
      }
      (fn as (records: LogRecord[]) => void)(records);
    }
  } finally {
    closeSync(fd);
  }
}

function writeAll(fd: number, data: Buffer, position: number): void {
  let off = 0;
  while (off < data.length) off += writeSync(fd, data, off, data.length - off, position + off);
}
