import { fstatSync, readdirSync, readSync } from 'node:fs';
import { join } from 'node:path';
import { FileAccessError, isErrno } from '@esc/core';
import { BATCH_HEADER_SIZE, BATCH_LENGTH_PREFIX, checkBatch } from './record-batch.js';

const LOG_SUFFIX = '.log';
const INDEX_SUFFIX = '.index';
const TIME_INDEX_SUFFIX = '.timeindex';

/** The files of one segment, named by its base offset in 20 digits so that names sort in offset order. */
export interface SegmentFiles {
  baseOffset: number;
  log: string;
  index: string;
  timeIndex: string;
}

export function segmentFiles(dir: string, baseOffset: number): SegmentFiles {
  const stem = join(dir, String(baseOffset).padStart(20, '0'));
  return {
    baseOffset,
    log: stem + LOG_SUFFIX,
    index: stem + INDEX_SUFFIX,
    timeIndex: stem + TIME_INDEX_SUFFIX,
  };
}

const LOG_NAME = /^(\d{20})\.log$/;

/** Base offsets of the segments in a partition directory, in order. */
export function listSegments(dir: string): number[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch (err) {
    if (isErrno(err, 'ENOENT')) return [];
    throw new FileAccessError(dir, err);
  }
  const bases: number[] = [];
  for (const name of names) {
    const m = LOG_NAME.exec(name);
    if (m) bases.push(Number(m[1]));
  }
  return bases.sort((a, b) => a - b);
}

/** One step of a scan through a log file. */
export type ScanStep =
  | { kind: 'batch'; position: number; batch: Buffer }
  /** The file ends here, at a batch boundary. */
  | { kind: 'end'; position: number }
  /** A batch starts here but the file ends before it does: a write in progress, or a torn tail. */
  | { kind: 'partial'; position: number; available: number }
  /** A whole batch that fails its checks; `end` is where it claims to end. */
  | { kind: 'bad'; position: number; reason: string; claimedEnd: number };

const CHUNK = 1024 * 1024;
/** maxMessageBytes and segmentBytes are at most 1 GiB. */
const MAX_BATCH_SIZE = 2 ** 30 + BATCH_HEADER_SIZE;

/**
 * Reads whole batches from an open log file, forward from a position, in chunks of 1 MiB (a larger batch gets
 * a buffer of its own). Returned batches are views into a chunk that is never reused, so records decoded from
 * them stay valid. A cursor can be stepped again after 'end' or 'partial': it sees data appended since.
 */
export class BatchCursor {
  private chunk: Buffer = Buffer.allocUnsafe(0);
  /** File position of chunk[0]. */
  private chunkStart = 0;
  private chunkLength = 0;

  constructor(
    private readonly fd: number,
    /** Where the next batch starts. */
    public position: number,
    private readonly path: string,
  ) {}

  next(): ScanStep {
    const position = this.position;
    if (!this.ensure(position, BATCH_LENGTH_PREFIX)) {
      const available = this.available(position);
      return available === 0 ? { kind: 'end', position } : { kind: 'partial', position, available };
    }
    const off = position - this.chunkStart;
    const size = BATCH_LENGTH_PREFIX + this.chunk.readUInt32BE(off + 8);
    if (size < BATCH_HEADER_SIZE)
      return {
        kind: 'bad',
        position,
        reason: `batch length ${size} is shorter than a batch header`,
        claimedEnd: position + size,
      };
    if (size > MAX_BATCH_SIZE)
      return {
        kind: 'bad',
        position,
        reason: `batch length ${size} is larger than any batch`,
        claimedEnd: position + size,
      };
    // A damaged length can claim far more than the file holds: no buffer is made for bytes that are not there.
    if (position + size > this.chunkStart + this.chunkLength && position + size > fstatSync(this.fd).size)
      return { kind: 'partial', position, available: this.available(position) };
    if (!this.ensure(position, size)) return { kind: 'partial', position, available: this.available(position) };
    const start = position - this.chunkStart;
    const batch = this.chunk.subarray(start, start + size);
    const problem = checkBatch(batch);
    if (problem !== null) return { kind: 'bad', position, reason: problem, claimedEnd: position + size };
    this.position = position + size;
    return { kind: 'batch', position, batch };
  }

  private available(position: number): number {
    return this.chunkStart + this.chunkLength - position;
  }

  /** Makes bytes [position, position + n) present in the chunk, reading the file; false if it ends first. */
  private ensure(position: number, n: number): boolean {
    if (position >= this.chunkStart && position + n <= this.chunkStart + this.chunkLength) return true;
    this.chunk = Buffer.allocUnsafe(Math.max(n, CHUNK));
    this.chunkStart = position;
    this.chunkLength = 0;
    while (this.chunkLength < this.chunk.length) {
      let got: number;
      try {
        got = readSync(
          this.fd,
          this.chunk,
          this.chunkLength,
          this.chunk.length - this.chunkLength,
          position + this.chunkLength,
        );
      } catch (err) {
        throw new FileAccessError(this.path, err);
      }
      if (got === 0) break;
      this.chunkLength += got;
    }
    return this.chunkLength >= n;
  }
}

/** Whether every byte of the file from `position` on is zero (space a crash left allocated but never wrote). */
export function zerosFrom(fd: number, position: number, size: number): boolean {
  const buf = Buffer.allocUnsafe(64 * 1024);
  for (let p = position; p < size; ) {
    const got = readSync(fd, buf, 0, Math.min(buf.length, size - p), p);
    if (got === 0) break;
    for (let i = 0; i < got; i++) if (buf[i] !== 0) return false;
    p += got;
  }
  return true;
}
