/** Fresh memory for the bytes of many small values at a time (64 KiB slabs, as Node's Buffer pool does 8 KiB). */
const SLAB_SIZE = 64 * 1024;

/**
 * A bump allocator of short-lived byte strings: each value is a view into the current slab, written in place by
 * the caller (no string, no Buffer allocation of its own). Memory is never reused: a slab is dropped for a new one
 * when full and freed by the GC once its last view is, so a view stays valid as long as it is held (an XADD's
 * reply is encoded after its append, possibly after later turns' entries were written).
 */
export class ByteSlab {
  private slab = Buffer.allocUnsafeSlow(SLAB_SIZE);
  private pos = 0;

  /** Makes room for `n` bytes and returns the slab to write them into, from `start`. */
  reserve(n: number): Buffer {
    if (this.slab.length - this.pos < n) {
      this.slab = Buffer.allocUnsafeSlow(Math.max(SLAB_SIZE, n));
      this.pos = 0;
    }
    return this.slab;
  }

  /** Where the next value starts (after `reserve`). */
  get start(): number {
    return this.pos;
  }

  /** Ends the value written from `start` up to `end`, and returns it. */
  commit(end: number): Buffer {
    const value = this.slab.subarray(this.pos, end);
    this.pos = end;
    return value;
  }

  /** A string as UTF-8. */
  text(text: string): Buffer {
    const slab = this.reserve(Buffer.byteLength(text));
    return this.commit(this.pos + slab.write(text, this.pos, 'utf8'));
  }
}
