import { CorruptionError } from '@esc/core';
import { readIndexFile } from './index-file.js';

export const OFFSET_INDEX_ENTRY_SIZE = 8;

/**
 * A segment's sparse offset index (docs/formats/streams-segment.md): entries of (relative offset, position),
 * both strictly increasing, one per batch that starts indexIntervalBytes past the previous entry's batch.
 * The first batch of a segment is at position 0 and has no entry.
 */
export class OffsetIndex {
  readonly relativeOffsets: number[] = [];
  readonly positions: number[] = [];

  constructor(
    readonly path: string,
    readonly baseOffset: number,
  ) {}

  get length(): number {
    return this.positions.length;
  }

  /**
   * Reads the file. Missing: null. `torn` is true when a partial last entry was cut off (an interrupted append,
   * or a writer's append in progress). Entries out of order are damage: a CorruptionError at the entry.
   */
  static load(path: string, baseOffset: number): { index: OffsetIndex; torn: boolean } | null {
    const file = readIndexFile(path, OFFSET_INDEX_ENTRY_SIZE);
    if (file === null) return null;
    const index = new OffsetIndex(path, baseOffset);
    const b = file.bytes;
    for (let pos = 0; pos < b.length; pos += OFFSET_INDEX_ENTRY_SIZE) {
      const rel = b.readUInt32BE(pos);
      const position = b.readUInt32BE(pos + 4);
      const n = index.length;
      if (position === 0 || (n > 0 && (rel <= index.relativeOffsets[n - 1]! || position <= index.positions[n - 1]!)))
        throw new CorruptionError(
          `offset index entry (offset ${baseOffset + rel}, position ${position}) is out of order`,
          { path, offset: pos },
        );
      index.push(rel, position);
    }
    return { index, torn: file.torn };
  }

  push(relativeOffset: number, position: number): void {
    this.relativeOffsets.push(relativeOffset);
    this.positions.push(position);
  }

  /** The last entry whose offset is at most `offset`, or -1 (start at position 0). */
  floor(offset: number): number {
    const rel = offset - this.baseOffset;
    let lo = 0;
    let hi = this.length - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      if (this.relativeOffsets[mid]! <= rel) {
        found = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    return found;
  }

  /** Drops the entries at or past `position` (after a torn tail is cut). Returns how many were dropped. */
  truncateToPosition(position: number): number {
    let n = this.length;
    while (n > 0 && this.positions[n - 1]! >= position) n--;
    const dropped = this.length - n;
    this.relativeOffsets.length = n;
    this.positions.length = n;
    return dropped;
  }

  /** The file bytes of entries [from, length). */
  encode(from = 0): Buffer {
    const buf = Buffer.allocUnsafe((this.length - from) * OFFSET_INDEX_ENTRY_SIZE);
    for (let i = from; i < this.length; i++) {
      buf.writeUInt32BE(this.relativeOffsets[i]!, (i - from) * OFFSET_INDEX_ENTRY_SIZE);
      buf.writeUInt32BE(this.positions[i]!, (i - from) * OFFSET_INDEX_ENTRY_SIZE + 4);
    }
    return buf;
  }
}
