import { closeSync, fdatasync, fdatasyncSync, fstatSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { FileAccessError, fsyncDirSync } from '@esc/core';
import { recoverActiveSegment, type SegmentTail } from './log-recovery.js';
import { OFFSET_INDEX_ENTRY_SIZE } from './offset-index.js';
import { BATCH_HEADER_SIZE, encodeRecords, fitsTimestampDelta, type RecordHeader, recordSize } from './record-batch.js';
import { listSegments, segmentFiles } from './segment.js';
import { TIME_INDEX_ENTRY_SIZE } from './time-index.js';
import type { TopicConfig } from './topic-config.js';

/** A record on its way in: the partition log assigns its offset. */
export interface AppendRecord {
  timestamp: number;
  key: Buffer | null;
  value: Buffer | null;
  headers: RecordHeader[];
}

/** Records written together are split into batches of at most this size (or segmentBytes), so a reader never needs more. */
const MAX_BATCH_BYTES = 1024 * 1024;
/** Relative offsets and positions in the indexes are u32. */
const MAX_RELATIVE_OFFSET = 2 ** 32 - 1;

interface ActiveSegment extends SegmentTail {
  fd: number;
  ino: number;
  indexFd: number;
  timeIndexFd: number;
}

/**
 * The write side of one partition: appends batches to the active segment, rolls segments, keeps the sparse
 * indexes, and knows nothing of locks (the topic writer holds the topic's lock around every call) or of
 * readers (they take no lock and read the files directly).
 */
export class PartitionLog {
  private active: ActiveSegment | null = null;
  /** Files written since the last sync, and whether a segment was created (the directory must be synced). */
  private unsynced = new Set<number>();
  private dirDirty = false;
  /** Segments closed (by a roll or another process's append) while their data still awaited a sync. */
  private closeAfterSync: number[] = [];
  private syncing: Promise<void> = Promise.resolve();
  private syncsInFlight = 0;
  /** The lock epoch (TopicWriter) of the last prepare: within one, nobody else can have changed the files. */
  private preparedEpoch = -1;

  constructor(
    readonly dir: string,
    private readonly config: () => TopicConfig,
    private readonly onWarning: (message: string) => void,
  ) {}

  /**
   * Called with the lock held, before appending: if another process appended or rolled since this process
   * last wrote (or this process has not written yet), the tail is read again and recovered. Within the lock
   * epoch of the last call the lock was never let go, so nothing is checked (no syscall per append).
   */
  prepare(epoch: number): void {
    if (this.active !== null && epoch === this.preparedEpoch) return;
    this.reopenIfChanged();
    this.preparedEpoch = epoch;
  }

  private reopenIfChanged(): void {
    const bases = listSegments(this.dir);
    const last = bases.at(-1);
    if (this.active !== null && last === this.active.files.baseOffset) {
      const st = fstatSync(this.active.fd);
      if (st.size === this.active.size && st.ino === this.active.ino) return;
    }
    this.closeActive();
    if (last === undefined) {
      mkdirSync(this.dir, { recursive: true });
      this.active = this.createSegment(0);
    } else this.active = this.openSegment(last);
  }

  /** The offset the next record gets (after prepare). */
  get nextOffset(): number {
    return this.requireActive().nextOffset;
  }

  /**
   * Appends records as one or more batches and returns the offset of the first. Rolls first when the batch
   * would take the active segment past segmentBytes, or its first record is older than segmentMs.
   */
  append(records: readonly AppendRecord[], now: number): number {
    const first = this.requireActive().nextOffset;
    // A batch never spans segments, so one larger than segmentBytes would overfill its segment.
    const limit = Math.min(MAX_BATCH_BYTES, this.config().segmentBytes);
    let i = 0;
    while (i < records.length) {
      const start = i;
      const base = records[i]!.timestamp;
      let bytes = BATCH_HEADER_SIZE + recordSize(records[i]!);
      i++;
      while (i < records.length && fitsTimestampDelta(base, records[i]!)) {
        const size = recordSize(records[i]!);
        if (bytes + size > limit) break;
        bytes += size;
        i++;
      }
      this.appendBatch(records, start, i, bytes, now);
    }
    return first;
  }

  private appendBatch(records: readonly AppendRecord[], from: number, to: number, bytes: number, now: number): void {
    const config = this.config();
    let seg = this.requireActive();
    if (
      seg.size > 0 &&
      (seg.size + bytes > config.segmentBytes ||
        (seg.firstTimestamp !== null && now - seg.firstTimestamp >= config.segmentMs) ||
        seg.nextOffset + (to - from) - seg.files.baseOffset > MAX_RELATIVE_OFFSET)
    )
      seg = this.roll();
    const first = seg.nextOffset;
    const batch = encodeRecords(records, from, to, (k) => first + k - from);
    const position = seg.size;
    writeAll(seg.fd, batch, position, seg.files.log);
    seg.size += batch.length;
    this.unsynced.add(seg.fd);
    const rel = seg.nextOffset - seg.files.baseOffset;
    if (position > 0 && position - seg.lastIndexedPosition >= config.indexIntervalBytes) {
      seg.index.push(rel, position);
      seg.timeIndex.push(seg.maxTimestamp, rel);
      seg.lastIndexedPosition = position;
      writeAll(
        seg.indexFd,
        seg.index.encode(seg.index.length - 1),
        (seg.index.length - 1) * OFFSET_INDEX_ENTRY_SIZE,
        seg.files.index,
      );
      writeAll(
        seg.timeIndexFd,
        seg.timeIndex.encode(seg.timeIndex.length - 1),
        (seg.timeIndex.length - 1) * TIME_INDEX_ENTRY_SIZE,
        seg.files.timeIndex,
      );
    }
    if (position === 0) seg.firstTimestamp = records[from]!.timestamp;
    for (let k = from; k < to; k++)
      if (records[k]!.timestamp > seg.maxTimestamp) seg.maxTimestamp = records[k]!.timestamp;
    seg.nextOffset = first + (to - from);
  }

  /**
   * Makes everything appended so far durable: one fdatasync per file written, the directory after a roll.
   * Syncs run one after another, so a file closed meanwhile is closed only after the sync that covers it.
   */
  sync(): Promise<void> {
    const fds = [...this.unsynced];
    this.unsynced.clear();
    const dirDirty = this.dirDirty;
    this.dirDirty = false;
    const closing = this.closeAfterSync.splice(0);
    this.syncsInFlight++;
    this.syncing = this.syncing.then(async () => {
      await Promise.all(
        fds.map(
          (fd) => new Promise<void>((resolve, reject) => fdatasync(fd, (err) => (err ? reject(err) : resolve()))),
        ),
      );
      if (dirDirty) fsyncDirSync(this.dir);
      for (const fd of closing) closeSync(fd);
    });
    const done = this.syncing.finally(() => this.syncsInFlight--);
    // A failed sync fails its callers; the chain goes on for the next one.
    this.syncing = done.catch(() => undefined);
    return done;
  }

  /**
   * The same as sync(), at once and on this thread, unless an earlier sync is still running (false: call
   * sync()). A lone synced append pays the fdatasync and nothing else: no thread-pool hop, no promise.
   */
  trySyncNow(): boolean {
    if (this.syncsInFlight > 0) return false;
    for (const fd of this.unsynced) fdatasyncSync(fd);
    this.unsynced.clear();
    if (this.dirDirty) fsyncDirSync(this.dir);
    this.dirDirty = false;
    for (const fd of this.closeAfterSync.splice(0)) closeSync(fd);
    return true;
  }

  get needsSync(): boolean {
    return this.unsynced.size > 0 || this.dirDirty;
  }

  /** Closes the files; what was not synced stays with the OS (sync first for durability). */
  async close(): Promise<void> {
    await this.syncing;
    this.closeActive();
    for (const fd of this.closeAfterSync.splice(0)) closeSync(fd);
    this.unsynced.clear();
  }

  private roll(): ActiveSegment {
    const old = this.requireActive();
    // The closed segment's data is made durable before its file is closed, whatever the sync mode: once a
    // newer segment exists, nobody will sync this one again.
    fdatasyncSync(old.fd);
    this.unsynced.delete(old.fd);
    const next = old.nextOffset;
    this.closeActive();
    this.active = this.createSegment(next);
    return this.active;
  }

  private createSegment(baseOffset: number): ActiveSegment {
    const files = segmentFiles(this.dir, baseOffset);
    // Indexes first: a .log file is what makes a segment exist, and it then always has its indexes.
    for (const path of [files.index, files.timeIndex]) closeSync(openOrFail(path, 'w'));
    closeSync(openOrFail(files.log, 'a'));
    this.dirDirty = true;
    return this.openSegment(baseOffset);
  }

  private openSegment(baseOffset: number): ActiveSegment {
    const files = segmentFiles(this.dir, baseOffset);
    const fd = openOrFail(files.log, 'r+');
    try {
      const tail = recoverActiveSegment(fd, files, this.config().indexIntervalBytes, this.onWarning);
      return {
        ...tail,
        fd,
        ino: fstatSync(fd).ino,
        indexFd: openOrFail(files.index, 'r+'),
        timeIndexFd: openOrFail(files.timeIndex, 'r+'),
      };
    } catch (err) {
      closeSync(fd);
      throw err;
    }
  }

  private closeActive(): void {
    const a = this.active;
    if (a === null) return;
    this.active = null;
    // A file awaiting its sync stays open until sync() has run on it.
    if (!this.unsynced.has(a.fd)) closeSync(a.fd);
    else this.closeAfterSync.push(a.fd);
    closeSync(a.indexFd);
    closeSync(a.timeIndexFd);
  }

  private requireActive(): ActiveSegment {
    if (this.active === null) throw new Error('PartitionLog.prepare() must run before appending');
    return this.active;
  }
}

function openOrFail(path: string, flags: string): number {
  try {
    return openSync(path, flags, 0o644);
  } catch (err) {
    throw new FileAccessError(path, err);
  }
}

function writeAll(fd: number, data: Buffer, position: number, path: string): void {
  try {
    let off = 0;
    while (off < data.length) off += writeSync(fd, data, off, data.length - off, position + off);
  } catch (err) {
    throw new FileAccessError(path, err);
  }
}
