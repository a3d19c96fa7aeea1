import { bufferView } from './buffer-view.js';

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
  /** The slab's ArrayBuffer and offset, for the views take() hands out. */
  private slabMemory: ArrayBufferLike = this.slab.buffer;
  private slabOffset = this.slab.byteOffset;
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

  /**
   * A type byte, a decimal integer and CRLF (`$5\r\n`, `*2\r\n`, `:-42\r\n`), written digit by digit: no
   * string is made for the number. `n` is a safe integer.
   */
  header(type: number, n: number): void {
    if (this.slab.length - this.end < 24) this.grow(24);
    const slab = this.slab;
    let at = this.end;
    slab[at++] = type;
    if (n < 0) {
      slab[at++] = 0x2d;
      n = -n;
    }
    if (n < 10) slab[at++] = 0x30 + n;
    else {
      let digits = 1;
      for (let m = n; m >= 10; m = Math.floor(m / 10)) digits++;
      at += digits;
      for (let i = at - 1; n >= 10; i--) {
        const q = Math.floor(n / 10);
        slab[i] = 0x30 + (n - q * 10);
        n = q;
      }
      slab[at - digits] = 0x30 + n;
    }
    slab[at++] = 13;
    slab[at++] = 10;
    this.end = at;
  }

  byte(b: number): void {
    if (this.slab.length - this.end < 1) this.grow(1);
    this.slab[this.end++] = b;
  }

  crlf(): void {
    if (this.slab.length - this.end < 2) this.grow(2);
    this.slab[this.end++] = 13;
    this.slab[this.end++] = 10;
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
    const n = data.length;
    if (this.slab.length - this.end < n) this.grow(n);
    // Short values (most keys and values) are copied faster by a loop than by TypedArray#set's call.
    if (n <= 32) {
      const slab = this.slab;
      let at = this.end;
      for (let i = 0; i < n; i++) slab[at++] = data[i]!;
      this.end = at;
    } else {
      this.slab.set(data, this.end);
      this.end += n;
    }
  }

  /** Everything written since the last take, as one Buffer or a few; null when nothing was. */
  take(): Buffer | Buffer[] | null {
    if (this.pieces.length === 0) {
      if (this.end === this.start) return null;
      const out = bufferView(this.slabMemory, this.slabOffset, this.start, this.end);
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
      this.pieces.push(bufferView(this.slabMemory, this.slabOffset, this.start, this.end));
      this.piecesBytes += this.end - this.start;
      this.start = this.end;
    }
  }

  private grow(need: number): void {
    this.cut();
    this.slab = Buffer.allocUnsafe(Math.max(SLAB_SIZE, need));
    this.slabMemory = this.slab.buffer;
    this.slabOffset = this.slab.byteOffset;
    this.start = 0;
    this.end = 0;
  }
}
