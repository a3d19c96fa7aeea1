/**
 * A growable sorted list of offsets in a typed array (8 bytes an entry, no object per entry): one per level
 * and per service. Appends come in offset order; an out-of-order one (two appends resolved out of order) is
 * inserted in place.
 */
export class OffsetList {
  private data = new Float64Array(64);
  length = 0;

  push(offset: number): void {
    if (this.length === this.data.length) {
      const bigger = new Float64Array(this.data.length * 2);
      bigger.set(this.data);
      this.data = bigger;
    }
    if (this.length === 0 || this.data[this.length - 1]! < offset) {
      this.data[this.length++] = offset;
      return;
    }
    const at = this.lowerBound(offset);
    if (this.data[at] === offset) return;
    this.data.copyWithin(at + 1, at, this.length);
    this.data[at] = offset;
    this.length++;
  }

  at(i: number): number {
    return this.data[i]!;
  }

  /** The index of the first entry >= offset (length if none). */
  lowerBound(offset: number): number {
    let lo = 0;
    let hi = this.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.data[mid]! < offset) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Drops the entries below `offset` (retention deleted them). */
  dropBelow(offset: number): void {
    const n = this.lowerBound(offset);
    if (n === 0) return;
    this.length -= n;
    // Retention may have taken most of it: give the memory back rather than keep the high-water mark.
    if (this.data.length > 64 && this.length < this.data.length / 4) {
      const smaller = new Float64Array(Math.max(64, 2 * this.length));
      smaller.set(this.data.subarray(n, n + this.length));
      this.data = smaller;
    } else this.data.copyWithin(0, n, n + this.length);
  }

  get bytes(): number {
    return this.data.byteLength;
  }
}
