/**
 * Growable byte output with LEB128 varints (7 bits a byte, low first) and zigzag signed integers, and the
 * matching reader. Values stay within ±2⁵³ (the column codecs only store integers of at most 15 digits), so
 * the arithmetic above 2³¹ uses division rather than bit operators.
 */
export class ByteWriter {
  private buf: Buffer;
  length = 0;

  constructor(initial = 1024) {
    this.buf = Buffer.allocUnsafe(initial);
  }

  private reserve(n: number): void {
    if (this.length + n <= this.buf.length) return;
    const next = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.length + n));
    this.buf.copy(next, 0, 0, this.length);
    this.buf = next;
  }

  byte(value: number): void {
    this.reserve(1);
    this.buf[this.length++] = value;
  }

  varint(value: number): void {
    this.reserve(8);
    const buf = this.buf;
    let v = value;
    while (v >= 0x80) {
      buf[this.length++] = (v % 0x80) | 0x80;
      v = Math.floor(v / 0x80);
    }
    buf[this.length++] = v;
  }

  /** zigzag: n ≥ 0 → 2n, n < 0 → −2n − 1. */
  signed(value: number): void {
    this.varint(value >= 0 ? value * 2 : -value * 2 - 1);
  }

  /** `n` more bytes, for the caller to fill. */
  extend(n: number): Buffer {
    this.reserve(n);
    this.length += n;
    return this.buf.subarray(this.length - n, this.length);
  }

  bytes(data: Uint8Array): void {
    this.reserve(data.length);
    this.buf.set(data, this.length);
    this.length += data.length;
  }

  /** A one-byte-per-character (latin1) string, the form the archive keeps lines in. */
  latin1(text: string): void {
    this.reserve(text.length);
    this.length += this.buf.write(text, this.length, 'latin1');
  }

  u32(value: number): void {
    this.reserve(4);
    this.buf.writeUInt32LE(value, this.length);
    this.length += 4;
  }

  u64(value: number): void {
    this.reserve(8);
    this.buf.writeBigUInt64LE(BigInt(value), this.length);
    this.length += 8;
  }

  result(): Buffer {
    return this.buf.subarray(0, this.length);
  }
}

/** Thrown by ByteReader on a read past the end; block decoders turn it into a CorruptionError. */
export class TruncatedDataError extends Error {}

export class ByteReader {
  pos = 0;

  constructor(readonly buf: Buffer) {}

  get done(): boolean {
    return this.pos >= this.buf.length;
  }

  byte(): number {
    if (this.pos >= this.buf.length) throw new TruncatedDataError('unexpected end of data');
    return this.buf[this.pos++]!;
  }

  varint(): number {
    const buf = this.buf;
    let result = 0;
    let scale = 1;
    for (;;) {
      if (this.pos >= buf.length) throw new TruncatedDataError('unexpected end of data');
      const b = buf[this.pos++]!;
      result += (b & 0x7f) * scale;
      if (b < 0x80) return result;
      scale *= 0x80;
      if (scale > 2 ** 56) throw new TruncatedDataError('varint too long');
    }
  }

  signed(): number {
    const v = this.varint();
    return v % 2 === 0 ? v / 2 : -(v + 1) / 2;
  }

  bytes(n: number): Buffer {
    if (this.pos + n > this.buf.length) throw new TruncatedDataError('unexpected end of data');
    const out = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }

  latin1(n: number): string {
    if (this.pos + n > this.buf.length) throw new TruncatedDataError('unexpected end of data');
    const text = this.buf.toString('latin1', this.pos, this.pos + n);
    this.pos += n;
    return text;
  }

  u32(): number {
    const v = this.buf.readUInt32LE(this.pos);
    this.pos += 4;
    return v;
  }

  u64(): number {
    const v = this.buf.readBigUInt64LE(this.pos);
    this.pos += 8;
    return Number(v);
  }
}
