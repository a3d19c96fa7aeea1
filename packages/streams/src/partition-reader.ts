import { closeSync, fstatSync, openSync } from 'node:fs';
import { CorruptionError, FileAccessError, isErrno } from '@esc/core';
import { OFFSET_INDEX_ENTRY_SIZE, OffsetIndex } from './offset-index.js';
import { decodeBatchHeader, decodeRecords, lastOffset, type LogRecord } from './record-batch.js';
import { BatchCursor, listSegments, type ScanStep, segmentFiles, zerosFrom } from './segment.js';
import { OffsetOutOfRangeError } from './stream-errors.js';
import { TIME_INDEX_ENTRY_SIZE, TimeIndex } from './time-index.js';

/** Where a partition's readable records begin and end, as a reader sees them now. */
export interface PartitionBounds {
  /** The log start offset: the base offset of the oldest segment. */
  earliest: number;
  /** The offset the next record will get. */
  next: number;
}

interface OpenSegment {
  baseOffset: number;
  path: string;
  fd: number;
  cursor: BatchCursor;
}

/**
 * Reads one partition from an offset, forward, without a lock and without writing: segment files are opened as
 * the reader reaches them, batches are checked (CRC, structure) and decoded. A partial batch at the end of the
 * active segment is a write in progress and is not yet visible; `poll` returns [] there, and returns the new
 * records once they land (the follower waits for a change of the directory between polls).
 */
export class PartitionReader {
  private segment: OpenSegment | null = null;
  private warnedTail = -1;

  constructor(
    readonly dir: string,
    readonly topic: string,
    readonly partition: number,
    /** The offset of the next record to return. */
    public nextOffset: number,
    private readonly onWarning: (message: string) => void,
  ) {}

  /** The records available now from nextOffset on (at most a batch or a few), or [] at the end of the log. */
  poll(): LogRecord[] {
    for (;;) {
      if (this.segment === null && !this.openSegmentFor(this.nextOffset)) return [];
      const seg = this.segment!;
      const step = seg.cursor.next();
      if (step.kind === 'batch') {
        const h = decodeBatchHeader(step.batch);
        if (lastOffset(h) < this.nextOffset) continue;
        let records: LogRecord[];
        try {
          records = decodeRecords(step.batch);
        } catch (err) {
          throw new CorruptionError((err as Error).message, { path: seg.path, offset: step.position });
        }
        const from = this.nextOffset;
        this.nextOffset = lastOffset(h) + 1;
        return records[0]!.offset >= from ? records : records.filter((r) => r.offset >= from);
      }
      // The end of this segment's file as it is now: go on to the next segment if there is one.
      const newer = listSegments(this.dir).find((b) => b > seg.baseOffset);
      if (newer === undefined) {
        if (step.kind === 'bad') this.warnTail(seg, step);
        return [];
      }
      // A newer segment exists, so this one is closed: it must end exactly at a batch boundary. Look once more
      // (the writer finished this segment before creating the next).
      const again = seg.cursor.next();
      if (again.kind === 'batch') {
        seg.cursor.position = again.position;
        continue;
      }
      if (again.kind !== 'end') throw damaged(seg.path, again);
      this.closeSegment();
      this.openSegmentAt(newer, 0);
    }
  }

  close(): void {
    this.closeSegment();
  }

  private warnTail(seg: OpenSegment, step: Extract<ScanStep, { kind: 'bad' }>): void {
    // At the end of the active segment: a torn tail the next writer will cut, or damage. Either way the
    // readable log ends here; say so once.
    if (this.warnedTail === step.position) return;
    this.warnedTail = step.position;
    const size = fstatSync(seg.fd).size;
    if (step.claimedEnd < size && !zerosFrom(seg.fd, step.position, size)) throw damaged(seg.path, step);
    this.onWarning(`${seg.path}: offset ${step.position}: unfinished batch at the end of the log (${step.reason})`);
  }

  /**
   * Opens the segment holding `offset` and positions the cursor by the offset index; false if there is none.
   * An index entry that does not match its log may be a cleaner's swap in progress (the log renamed, its index
   * not yet): the segment is opened afresh once before that is called damage.
   */
  private openSegmentFor(offset: number, retried = false): boolean {
    const bases = listSegments(this.dir);
    let base: number | undefined;
    for (const b of bases) if (b <= offset) base = b;
    if (base === undefined) {
      if (bases.length === 0) return false;
      // Below the log start: retention deleted what this reader wanted next.
      throw new OffsetOutOfRangeError(this.topic, this.partition, offset, bases[0]!, Number.NaN);
    }
    const files = segmentFiles(this.dir, base);
    const loaded = OffsetIndex.load(files.index, base);
    const entry = loaded?.index.floor(offset) ?? -1;
    const position = entry >= 0 ? loaded!.index.positions[entry]! : 0;
    if (!this.openSegmentAt(base, position)) return this.openSegmentFor(offset, retried);
    if (entry >= 0) {
      const expected = base + loaded!.index.relativeOffsets[entry]!;
      const seg = this.segment!;
      const step = seg.cursor.next();
      const found = step.kind === 'batch' ? decodeBatchHeader(step.batch).baseOffset : undefined;
      if (found !== expected && !retried) {
        this.closeSegment();
        return this.openSegmentFor(offset, true);
      }
      if (found !== expected)
        throw new CorruptionError(
          `offset index entry (offset ${expected}, position ${position}) does not point at a batch with that offset`,
          { path: files.index, offset: entry * OFFSET_INDEX_ENTRY_SIZE },
        );
      seg.cursor.position = position;
    }
    return true;
  }

  /** False if the segment was deleted meanwhile (retention, compaction): the caller looks again. */
  private openSegmentAt(baseOffset: number, position: number): boolean {
    const { log } = segmentFiles(this.dir, baseOffset);
    let fd: number;
    try {
      fd = openSync(log, 'r');
    } catch (err) {
      if (isErrno(err, 'ENOENT')) return false;
      throw new FileAccessError(log, err);
    }
    this.segment = { baseOffset, path: log, fd, cursor: new BatchCursor(fd, position, log) };
    return true;
  }

  private closeSegment(): void {
    if (this.segment !== null) closeSync(this.segment.fd);
    this.segment = null;
  }
}

function damaged(path: string, step: ScanStep): CorruptionError {
  const reason =
    step.kind === 'bad' ? step.reason : step.kind === 'partial' ? 'batch cut short in a closed segment' : 'damaged';
  return new CorruptionError(reason, { path, offset: step.position });
}

/**
 * Where time index entry `t` says to start, checked against the log before it is trusted (a damaged entry
 * would silently skip records): its offset must be one the offset index names (entries are written in pairs),
 * and its timestamp must be the largest of the records before that batch, which is the previous entry's
 * timestamp and the batches from the previous entry's batch up to this one (about one index interval to read).
 * A mismatch is a CorruptionError naming the time index file and the entry's byte position.
 */
function checkedTimeEntry(
  fd: number,
  files: ReturnType<typeof segmentFiles>,
  base: number,
  time: TimeIndex,
  index: OffsetIndex,
  t: number,
): number {
  const entryAt = (k: number) => k * TIME_INDEX_ENTRY_SIZE;
  const positionOf = (k: number) => {
    const rel = time.relativeOffsets[k]!;
    const i = index.floor(base + rel);
    if (i < 0 || index.relativeOffsets[i] !== rel)
      throw new CorruptionError(`time index entry names offset ${base + rel}, where the offset index names no batch`, {
        path: files.timeIndex,
        offset: entryAt(k),
      });
    return index.positions[i]!;
  };
  const end = positionOf(t);
  let max = t > 0 ? time.timestamps[t - 1]! : Number.NEGATIVE_INFINITY;
  const cursor = new BatchCursor(fd, t > 0 ? positionOf(t - 1) : 0, files.log);
  while (cursor.position < end) {
    const step = cursor.next();
    if (step.kind !== 'batch') throw damaged(files.log, step);
    max = Math.max(max, decodeBatchHeader(step.batch).maxTimestamp);
  }
  if (cursor.position !== end || max !== time.timestamps[t])
    throw new CorruptionError(
      `time index entry (timestamp ${time.timestamps[t]}, offset ${base + time.relativeOffsets[t]!}) does not match the log (the records before that offset are at most ${max})`,
      { path: files.timeIndex, offset: entryAt(t) },
    );
  return end;
}

/**
 * The log start offset and the next offset of a partition, read from the files: the first segment's base,
 * and the end of the last batch of the active segment (found from its last offset index entry).
 */
export function readBounds(dir: string): PartitionBounds {
  const bases = listSegments(dir);
  if (bases.length === 0) return { earliest: 0, next: 0 };
  const earliest = bases[0]!;
  for (let i = bases.length - 1; i >= 0; i--) {
    const base = bases[i]!;
    const files = segmentFiles(dir, base);
    let fd: number;
    try {
      fd = openSync(files.log, 'r');
    } catch (err) {
      if (isErrno(err, 'ENOENT')) return readBounds(dir);
      throw new FileAccessError(files.log, err);
    }
    try {
      const loaded = OffsetIndex.load(files.index, base);
      const entry = loaded !== null && loaded.index.length > 0 ? loaded.index.length - 1 : -1;
      let next = entry >= 0 ? base + loaded!.index.relativeOffsets[entry]! : base;
      const cursor = new BatchCursor(fd, entry >= 0 ? loaded!.index.positions[entry]! : 0, files.log);
      let sawBatch = false;
      for (let step = cursor.next(); step.kind === 'batch'; step = cursor.next()) {
        next = lastOffset(decodeBatchHeader(step.batch)) + 1;
        sawBatch = true;
      }
      // An empty segment (just rolled, or everything in it compacted away) starts at its base offset.
      if (sawBatch || entry >= 0 || i === bases.length - 1) return { earliest, next: Math.max(next, base) };
    } finally {
      closeSync(fd);
    }
  }
  return { earliest, next: earliest };
}

/**
 * The earliest offset whose record has a timestamp at least `timestamp` (Kafka's offsetsForTimes), or the
 * next offset if there is none. In each segment, in order, the time index names an offset before which every
 * record is older; the scan starts at that offset's batch and stops at the segment's end.
 */
export function offsetForTimestamp(dir: string, timestamp: number): number {
  const bases = listSegments(dir);
  for (let i = 0; i < bases.length; i++) {
    const last = i === bases.length - 1;
    let found: number | null;
    try {
      found = searchSegment(dir, bases[i]!, timestamp, last);
    } catch (err) {
      // The cleaner renames a segment's three files one by one: what did not match may be a swap between two
      // renames, so the segment is read afresh once, as PartitionReader does, before the damage is reported.
      if (!(err instanceof CorruptionError)) throw err;
      found = searchSegment(dir, bases[i]!, timestamp, last);
    }
    if (found !== null) return found;
  }
  return readBounds(dir).next;
}

/** The first offset of one segment whose record is at least `timestamp`, or null (none, or the segment is gone). */
function searchSegment(dir: string, base: number, timestamp: number, last: boolean): number | null {
  const files = segmentFiles(dir, base);
  const time = TimeIndex.load(files.timeIndex, base)?.index;
  const index = OffsetIndex.load(files.index, base)?.index;
  const t = time?.lastBefore(timestamp) ?? -1;
  let fd: number;
  try {
    fd = openSync(files.log, 'r');
  } catch (err) {
    if (isErrno(err, 'ENOENT')) return null;
    throw new FileAccessError(files.log, err);
  }
  try {
    const start = t >= 0 && index !== undefined ? checkedTimeEntry(fd, files, base, time!, index, t) : 0;
    const cursor = new BatchCursor(fd, start, files.log);
    for (;;) {
      const step = cursor.next();
      if (step.kind === 'end') return null;
      if (step.kind !== 'batch') {
        // The end of the active segment: a write in progress.
        if (last) return null;
        throw damaged(files.log, step);
      }
      if (decodeBatchHeader(step.batch).maxTimestamp < timestamp) continue;
      for (const r of decodeRecords(step.batch)) if (r.timestamp >= timestamp) return r.offset;
    }
  } finally {
    closeSync(fd);
  }
}
