/** Node's direct Latin-1 decoder: what `toString('latin1', s, e)` calls after its argument checks. */
type Latin1Buffer = Buffer & { latin1Slice(start: number, end: number): string };
const hasLatin1Slice = typeof (Buffer.prototype as Partial<Latin1Buffer>).latin1Slice === 'function';

/**
 * A chunk's bytes as Latin-1 strings (one byte, one UTF-16 code unit, so string indices are byte offsets),
 * for the regex work around candidates. A candidate line is decoded on its own, until a chunk has shown so
 * many candidates that decoding it whole (one copy) and slicing lines out of that is cheaper (measured on
 * the HDFS log: with candidates on 12% of lines, per-line decoding is still ~15% faster).
 */
export class ChunkText {
  private source: Buffer | null = null;
  private text: string | null = null;
  private lines = 0;

  constructor(private readonly decodeAfter = 256) {}

  /** The whole chunk, decoded (once per chunk). */
  whole(chunk: Buffer): string {
    if (chunk !== this.source || this.text === null) {
      this.source = chunk;
      this.text = chunk.toString('latin1');
    }
    return this.text;
  }

  /** The text of `chunk[start, end)`. */
  slice(chunk: Buffer, start: number, end: number): string {
    if (chunk === this.source) {
      if (this.text !== null) return this.text.slice(start, end);
      if (++this.lines > this.decodeAfter) return this.whole(chunk).slice(start, end);
    } else {
      this.source = chunk;
      this.text = null;
      this.lines = 1;
    }
    return latin1(chunk, start, end);
  }
}

/** `buf[start, end)` as a Latin-1 string, through Node's direct decoder when it has one. */
export function latin1(buf: Buffer, start: number, end: number): string {
  return hasLatin1Slice ? (buf as Latin1Buffer).latin1Slice(start, end) : buf.toString('latin1', start, end);
}
