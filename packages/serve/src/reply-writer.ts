/** Room for the replies of a typical batch; a full slab is replaced, never reused, as its bytes may still be queued. */
const SLAB_SIZE = 64 * 1024;
/** Bulk values at least this long go to the socket as they are instead of being copied. */
const COPY_LIMIT = 16 * 1024;

/**
 * The bytes of a connection's replies until the next flush. Replies are written into a slab, and a flush hands
 * the written part to the socket as a view, so one socket write carries a whole batch and the slab's rest serves
 * the next batch: Node's own Buffer pool, per connection.
 */
export class ReplyWriter {
  private slab: Buffer = Buffer.allocUnsafe(SLAB_SIZE);
  private start = 0;
  private end = 0;
  /** Finished pieces before the current one (a full slab's part, a large value as is). */
  private pieces: Buffer[] = [];
  private piecesBytes = 0;

  /** Bytes written since the last take(). */
  get length(): number {
    return this.piecesBytes + this.end - this.start;
  }

  /** ASCII text (headers, numbers, simple strings Redis keeps ASCII, short ASCII values). */
  ascii(text: string): void {
    const n = text.length;
    if (this.slab.length - this.end < n) this.grow(n);
    // Headers and short values are a few bytes: a loop costs less than Buffer#write's encoding dispatch.
    if (n <= 64) {
      const slab = this.slab;
      let at = this.end;
      for (let i = 0; i < n; i++) slab[at++] = text.charCodeAt(i);
      this.end = at;
    } else this.end += this.slab.write(text, this.end, 'latin1');
  }

  /** Any text as UTF-8. */
  utf8(text: string, byteLength: number): void {
    if (this.slab.length - this.end < byteLength) this.grow(byteLength);
    this.end += this.slab.write(text, this.end, 'utf8');
  }

  bytes(data: Uint8Array): void {
    if (data.length >= COPY_LIMIT) {
      this.cut();
      this.pieces.push(data as Buffer);
      this.piecesBytes += data.length;
      return;
    }
    if (this.slab.length - this.end < data.length) this.grow(data.length);
    this.slab.set(data, this.end);
    this.end += data.length;
  }

  /** Everything written since the last take, as one Buffer or a few; null when nothing was. */
  take(): Buffer | Buffer[] | null {
    if (this.pieces.length === 0) {
      if (this.end === this.start) return null;
      const out = this.slab.subarray(this.start, this.end);
      this.start = this.end;
      return out;
    }
    this.cut();
    const out = this.pieces;
    this.pieces = [];
    this.piecesBytes = 0;
    return out;
  }

  /** Ends the current piece of the slab (what follows goes after the pieces). */
  private cut(): void {
    if (this.end > this.start) {
      this.pieces.push(this.slab.subarray(this.start, this.end));
      this.piecesBytes += this.end - this.start;
      this.start = this.end;
    }
  }

  private grow(need: number): void {
    this.cut();
    this.slab = Buffer.allocUnsafe(Math.max(SLAB_SIZE, need));
    this.start = 0;
    this.end = 0;
  }
}
