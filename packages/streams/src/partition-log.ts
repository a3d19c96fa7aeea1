import { closeSync, fdatasync, fdatasyncSync, fstatSync, mkdirSync, openSync, writeSync, writevSync } from 'node:fs';
import { FileAccessError, fsyncDirSync } from '@esc/core';
import { crc32c } from '@node-rs/crc32';
import type { EncodedBatch } from './batch-builder.js';
import { crc32cCombine } from './crc32c-combine.js';
import { recoverActiveSegment, type SegmentTail } from './log-recovery.js';
import { OFFSET_INDEX_ENTRY_SIZE } from './offset-index.js';
import { writeU64 } from './record-batch.js';
import { listSegments, segmentFiles } from './segment.js';
import { TIME_INDEX_ENTRY_SIZE } from './time-index.js';
import type { TopicConfig } from './topic-config.js';

/** Records written together are split into batches of at most this size (or segmentBytes), so a reader never needs more. */
export const MAX_BATCH_BYTES = 1024 * 1024;
/** Relative offsets and positions in the indexes are u32. */
const MAX_RELATIVE_OFFSET = 2 ** 32 - 1;
/**
 * Index entries are written once the log holds this many bytes past the first unwritten one (and when a segment
 * rolls or closes, or the lock is let go): two small writes per batch of a producer that awaits each append were
 * a tenth of its time. Not at a sync: the indexes are never fdatasynced (recovery rebuilds them from the log), so
 * writing them then bought nothing and cost a `sync: 'always'` server two writes every few groups. A reader
 * seeking near the tail meanwhile scans at most this much more, and recovery indexes the log from the last entry
 * written.
 */
const INDEX_WRITE_BYTES = 1024 * 1024;

interface ActiveSegment extends SegmentTail {
  /** Index entries written to the files (both have the same count); those after it are written later. */
  indexWritten: number;
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
  /** Batches placed at the end of the active segment but not yet written: one writev per group. */
  private pending: Buffer[] = [];
  private pendingAt = 0;
  /** A segment was closed without its fdatasync ('none' mode): the writer starts it in the background. */
  rolledUnsynced = false;
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
   * Places an encoded batch at the end of the log and returns its base offset: fills in its baseOffset and
   * CRC (combined from the CRC of the rest, computed when it was encoded), rolls first when it would take the
   * active segment past segmentBytes or the segment's first record is older than segmentMs. The bytes are
   * written by flush() (one writev for the batches of a group), or before an index entry or a roll needs them.
   * `syncRollLater`: a closed segment is fdatasynced in the background (sync mode 'none', as Kafka flushes a
   * rolled segment from its scheduler), else at once.
   */
  appendBatch(batch: EncodedBatch, now: number, syncRollLater: boolean): number {
    const config = this.config();
    const bytes = batch.bytes;
    let seg = this.requireActive();
    if (
      seg.size > 0 &&
      (seg.size + bytes.length > config.segmentBytes ||
        (seg.firstTimestamp !== null && now - seg.firstTimestamp >= config.segmentMs) ||
        seg.nextOffset + batch.count - seg.files.baseOffset > MAX_RELATIVE_OFFSET)
    )
      seg = this.roll(syncRollLater);
    const base = seg.nextOffset;
    writeU64(bytes, base, 0);
    bytes.writeUInt32BE(crc32cCombine(crc32c(bytes.subarray(0, 12)), batch.tailCrc, bytes.length - 16), 12);
    const position = seg.size;
    if (this.pending.length === 0) this.pendingAt = position;
    this.pending.push(bytes);
    seg.size += bytes.length;
    const rel = base - seg.files.baseOffset;
    if (position > 0 && position - seg.lastIndexedPosition >= config.indexIntervalBytes) {
      seg.index.push(rel, position);
      seg.timeIndex.push(seg.maxTimestamp, rel);
      seg.lastIndexedPosition = position;
      if (position - seg.index.positions[seg.indexWritten]! >= INDEX_WRITE_BYTES) this.writeIndexes();
    }
    if (position === 0) seg.firstTimestamp = batch.firstTimestamp;
    if (batch.maxTimestamp > seg.maxTimestamp) seg.maxTimestamp = batch.maxTimestamp;
    seg.nextOffset = base + batch.count;
    return base;
  }

  /** Writes the index entries not yet written, after the log bytes they name (an entry never names bytes not written). */
  writeIndexes(): void {
    const seg = this.active;
    if (seg === null || seg.indexWritten === seg.index.length) return;
    this.flush();
    const from = seg.indexWritten;
    writeAll(seg.indexFd, seg.index.encode(from), from * OFFSET_INDEX_ENTRY_SIZE, seg.files.index);
    writeAll(seg.timeIndexFd, seg.timeIndex.encode(from), from * TIME_INDEX_ENTRY_SIZE, seg.files.timeIndex);
    seg.indexWritten = seg.index.length;
  }

  /** Writes the batches placed since the last flush: one write for one batch, one writev for several. */
  flush(): void {
    const pending = this.pending;
    if (pending.length === 0) return;
    this.pending = [];
    const seg = this.requireActive();
    this.unsynced.add(seg.fd);
    if (pending.length === 1) {
      writeAll(seg.fd, pending[0]!, this.pendingAt, seg.files.log);
      return;
    }
    try {
      let total = 0;
      for (const b of pending) total += b.length;
      const written = writevSync(seg.fd, pending, this.pendingAt);
      if (written === total) return;
      // A short writev (rare on a regular file): the rest one buffer at a time.
      let at = this.pendingAt;
      for (const b of pending) {
        const done = Math.min(b.length, Math.max(0, this.pendingAt + written - at));
        if (done < b.length) writeAll(seg.fd, b.subarray(done), at + done, seg.files.log);
        at += b.length;
      }
    } catch (err) {
      if (err instanceof FileAccessError) throw err;
      throw new FileAccessError(seg.files.log, err);
    }
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

  private roll(syncLater: boolean): ActiveSegment {
    this.writeIndexes();
    this.flush();
    const old = this.requireActive();
    // The closed segment's data is made durable whatever the sync mode: once a newer segment exists, nobody
    // will sync this one again. In 'none' mode in the background (its fd stays open until then, and nobody
    // waits: an acknowledgement never promised it); else at once, before the newer segment can be synced.
    if (syncLater) this.rolledUnsynced = true;
    else {
      fdatasyncSync(old.fd);
      this.unsynced.delete(old.fd);
    }
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
        indexWritten: tail.index.length,
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
    // Batches placed but not written (a group that failed) are forgotten with the segment's bookkeeping.
    this.pending = [];
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
