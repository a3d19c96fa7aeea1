import type { DataBlock } from './data-block.js';
import type { SegmentReader } from './segment-reader.js';

/**
 * Walks a segment's entries (tombstones included) forwards or backwards. seek() positions at the first key
 * >= start (forwards) or the last key <= start (backwards), exclusive bounds skipping an equal key.
 */
export class SegmentCursor {
  private bi = 0;
  private pi = 0;
  private blk: DataBlock | null = null;
  /** The current key, made once per position: merging reads it several times per step. */
  private k: Buffer | null = null;

  constructor(
    private readonly seg: SegmentReader,
    readonly reverse: boolean,
  ) {}

  get valid(): boolean {
    return this.blk !== null;
  }
  get key(): Buffer {
    if (this.k === null) this.k = this.blk!.keyAt(this.pi);
    return this.k;
  }
  get value(): Buffer | null {
    return this.blk!.valueAt(this.pi);
  }

  seek(start: Buffer | null, inclusive: boolean): void {
    const n = this.seg.blockCount;
    if (this.seg.loadError) throw this.seg.loadError;
    if (!this.reverse) {
      this.bi = start === null ? 0 : this.seg.findBlock(start);
      if (this.bi >= n) {
        this.blk = null;
        return;
      }
      this.blk = this.seg.block(this.bi);
      this.pi = start === null ? 0 : this.blk.lowerBound(start);
      if (start !== null && !inclusive && this.pi < this.blk.count && this.blk.compareAt(this.pi, start) === 0)
        this.pi++;
      this.settle();
    } else {
      if (start === null) this.bi = n - 1;
      else {
        this.bi = this.seg.findBlock(start);
        if (this.bi >= n) this.bi = n - 1;
      }
      if (this.bi < 0) {
        this.blk = null;
        return;
      }
      this.blk = this.seg.block(this.bi);
      if (start === null) this.pi = this.blk.count - 1;
      else {
        // Last key <= start (< start when exclusive).
        let i = this.blk.lowerBound(start);
        if (inclusive && i < this.blk.count && this.blk.compareAt(i, start) === 0) i++;
        this.pi = i - 1;
      }
      this.settle();
    }
  }

  next(): void {
    if (this.blk === null) return;
    this.pi += this.reverse ? -1 : 1;
    this.settle();
  }

  /** Moves across block boundaries (skipping empty blocks) until positioned on an entry or past the end. */
  private settle(): void {
    this.k = null;
    for (;;) {
      const blk = this.blk!;
      if (this.pi >= 0 && this.pi < blk.count) return;
      this.bi += this.reverse ? -1 : 1;
      if (this.bi < 0 || this.bi >= this.seg.blockCount) {
        this.blk = null;
        return;
      }
      this.blk = this.seg.block(this.bi);
      this.pi = this.reverse ? this.blk.count - 1 : 0;
    }
  }
}
