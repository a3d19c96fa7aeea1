import { CorruptionError } from '@esc/core';
import { readIndexFile } from './index-file.js';
import { readI64, writeI64 } from './record-batch.js';

export const TIME_INDEX_ENTRY_SIZE = 12;

/**
 * A segment's sparse time index (docs/formats/streams-segment.md): entries of (timestamp, relative offset)
 * where the timestamp is the largest of every record in the segment before that offset. Written with the
 * offset index's entries, so every offset here has an offset index entry too.
 */
export class TimeIndex {
  readonly timestamps: number[] = [];
  readonly relativeOffsets: number[] = [];

  constructor(
    readonly path: string,
    readonly baseOffset: number,
  ) {}

  get length(): number {
    return this.timestamps.length;
  }

  static load(path: string, baseOffset: number): { index: TimeIndex; torn: boolean } | null {
    const file = readIndexFile(path, TIME_INDEX_ENTRY_SIZE);
    if (file === null) return null;
    const index = new TimeIndex(path, baseOffset);
    const b = file.bytes;
    for (let pos = 0; pos < b.length; pos += TIME_INDEX_ENTRY_SIZE) {
      const timestamp = readI64(b, pos);
      const rel = b.readUInt32BE(pos + 8);
      const n = index.length;
      if (n > 0 && (timestamp < index.timestamps[n - 1]! || rel <= index.relativeOffsets[n - 1]!))
        throw new CorruptionError(
          `time index entry (timestamp ${timestamp}, offset ${baseOffset + rel}) is out of order`,
          { path, offset: pos },
        );
      index.push(timestamp, rel);
    }
    return { index, torn: file.torn };
  }

  push(timestamp: number, relativeOffset: number): void {
    this.timestamps.push(timestamp);
    this.relativeOffsets.push(relativeOffset);
  }

  /** The last entry whose timestamp is below `timestamp` (every record before its offset is older), or -1. */
  lastBefore(timestamp: number): number {
    let lo = 0;
    let hi = this.length - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      if (this.timestamps[mid]! < timestamp) {
        found = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    return found;
  }

  truncateToLength(n: number): void {
    this.timestamps.length = n;
    this.relativeOffsets.length = n;
  }

  encode(from = 0): Buffer {
    const buf = Buffer.allocUnsafe((this.length - from) * TIME_INDEX_ENTRY_SIZE);
    for (let i = from; i < this.length; i++) {
      writeI64(buf, this.timestamps[i]!, (i - from) * TIME_INDEX_ENTRY_SIZE);
      buf.writeUInt32BE(this.relativeOffsets[i]!, (i - from) * TIME_INDEX_ENTRY_SIZE + 8);
    }
    return buf;
  }
}
