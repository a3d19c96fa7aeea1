import { closeSync, openSync, readSync } from 'node:fs';
import { CorruptionError, FileAccessError, isErrno } from '@esc/core';
import { OffsetIndex } from './offset-index.js';
import {
  BATCH_HEADER_SIZE,
  BATCH_LENGTH_PREFIX,
  checkBatch,
  decodeRecordAt,
  type LogRecord,
  type RecordPositions,
  recordPositions,
} from './record-batch.js';
import { listSegments, segmentFiles } from './segment.js';

interface OpenSegment {
  fd: number;
  path: string;
  index: OffsetIndex | null;
}

interface CachedBatch {
  baseOffset: number;
  lastOffset: number;
  bytes: Buffer;
  positions: RecordPositions;
}

/** Header steps from an index entry after which the (growing) index of the active segment is read again. */
const REREAD_INDEX_AFTER = 16;
const CACHED_BATCHES = 8;

/**
 * Random reads of single records by offset, for a long-lived reader such as a server answering queries from an
 * index of offsets: the segment by its base offset, the batch by the offset index and a walk over batch
 * headers (not their bodies), then the one batch read, checked (CRC), its record positions noted (a few
 * recent batches are kept so) and the one record decoded, where a
 * PartitionReader would read on in 1 MiB chunks and decode every record. Segment files stay open between
 * calls; the list of segments is read again at each call, so segments deleted by retention are let go.
 * Takes no lock and writes nothing, as readers do.
 */
export class RecordLookup {
  private bases: number[] = [];
  private readonly segments = new Map<number, OpenSegment>();
  private readonly batches: CachedBatch[] = [];

  constructor(readonly dir: string) {}

  /** The records at these offsets, in the order given; offsets with no record (deleted, not written) are left out. */
  get(offsets: readonly number[]): LogRecord[] {
    this.refresh();
    const out: LogRecord[] = [];
    for (const offset of offsets) {
      const r = this.one(offset);
      if (r !== null) out.push(r);
    }
    return out;
  }

  /** Closes the segment files. */
  close(): void {
    for (const s of this.segments.values()) closeSync(s.fd);
    this.segments.clear();
    this.batches.length = 0;
  }

  private refresh(): void {
    this.bases = listSegments(this.dir);
    for (const [base, s] of this.segments)
      if (!this.bases.includes(base)) {
        closeSync(s.fd);
        this.segments.delete(base);
      }
    if (this.bases.length > 0) {
      const start = this.bases[0]!;
      for (let i = this.batches.length - 1; i >= 0; i--)
        if (this.batches[i]!.baseOffset < start) this.batches.splice(i, 1);
    }
  }

  private one(offset: number): LogRecord | null {
    for (const b of this.batches)
      if (b.baseOffset <= offset && offset <= b.lastOffset) return decodeRecordAt(b.bytes, b.positions, offset);
    let lo = 0;
    let hi = this.bases.length - 1;
    let base = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      if (this.bases[mid]! <= offset) {
        base = this.bases[mid]!;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    if (base < 0) return null;
    const segment = this.open(base);
    if (segment === null) return null;
    const batch = this.findBatch(segment, base, offset, false);
    if (batch === null) return null;
    this.batches.unshift(batch);
    if (this.batches.length > CACHED_BATCHES) this.batches.pop();
    return decodeRecordAt(batch.bytes, batch.positions, offset);
  }

  private findBatch(segment: OpenSegment, base: number, offset: number, reread: boolean): CachedBatch | null {
    if (segment.index === null || reread)
      segment.index = OffsetIndex.load(segmentFiles(this.dir, base).index, base)?.index ?? null;
    const entry = segment.index?.floor(offset) ?? -1;
    let position = entry >= 0 ? segment.index!.positions[entry]! : 0;
    const head = Buffer.allocUnsafe(BATCH_HEADER_SIZE);
    for (let steps = 0; ; steps++) {
      if (steps === REREAD_INDEX_AFTER && !reread) return this.findBatch(segment, base, offset, true);
      // The end of the file, or a batch still being written: the offset is not readable (yet).
      if (this.read(segment, head, position) < BATCH_HEADER_SIZE) return null;
      const baseOffset = head.readUInt32BE(0) * 2 ** 32 + head.readUInt32BE(4);
      const size = BATCH_LENGTH_PREFIX + head.readUInt32BE(8);
      const lastOffset = baseOffset + head.readUInt32BE(18);
      if (size < BATCH_HEADER_SIZE)
        throw new CorruptionError(`batch length ${size} is shorter than a batch header`, {
          path: segment.path,
          offset: position,
        });
      if (baseOffset > offset) return null;
      if (lastOffset < offset) {
        position += size;
        continue;
      }
      const bytes = Buffer.allocUnsafe(size);
      if (this.read(segment, bytes, position) < size) return null;
      const problem = checkBatch(bytes);
      if (problem !== null) throw new CorruptionError(problem, { path: segment.path, offset: position });
      let positions: RecordPositions;
      try {
        positions = recordPositions(bytes);
      } catch (err) {
        throw new CorruptionError((err as Error).message, { path: segment.path, offset: position });
      }
      return { baseOffset, lastOffset, bytes, positions };
    }
  }

  private read(segment: OpenSegment, buf: Buffer, position: number): number {
    let got = 0;
    while (got < buf.length) {
      let n: number;
      try {
        n = readSync(segment.fd, buf, got, buf.length - got, position + got);
      } catch (err) {
        throw new FileAccessError(segment.path, err);
      }
      if (n === 0) break;
      got += n;
    }
    return got;
  }

  private open(base: number): OpenSegment | null {
    let segment = this.segments.get(base);
    if (segment !== undefined) return segment;
    const path = segmentFiles(this.dir, base).log;
    try {
      segment = { fd: openSync(path, 'r'), path, index: null };
    } catch (err) {
      // Deleted by retention since the listing.
      if (isErrno(err, 'ENOENT')) return null;
      throw new FileAccessError(path, err);
    }
    this.segments.set(base, segment);
    return segment;
  }
}
