import type { Writable } from 'node:stream';
import type { TextSink } from './record-writer.js';

const BLOCK = 256 * 1024;

/**
 * A TextSink over a Node stream (process.stdout) that gathers text into large blocks and lets the caller
 * wait for the reader between batches (`drain`), so memory stays bounded by one block and one batch.
 *
 * Why not core's BufferedOutput here: once Node has opened stdout, a pipe is non-blocking, and a synchronous
 * writer can only sleep and retry when the pipe is full (BufferedOutput waits 1 ms per EAGAIN), which capped
 * NDJSON at about 64 KiB per millisecond; the stream's own event-driven writes do not wait like that.
 * A closed pipe surfaces as the stream's EPIPE error, which the CLI turns into a quiet exit 0.
 */
export class StreamSink implements TextSink {
  private pending = '';
  private pendingAscii = true;
  /** Settles once the last block handed to the stream has reached the descriptor (or failed). */
  private lastWrite: Promise<void> | null = null;

  constructor(private readonly stream: Writable) {}

  write(text: string, ascii = false): void {
    this.pending += text;
    if (!ascii) this.pendingAscii = false;
    if (this.pending.length >= BLOCK) this.push();
  }

  /** Resolves when the stream can take more (call between batches). */
  async drain(): Promise<void> {
    if (!this.stream.writableNeedDrain) return;
    const stream = this.stream;
    await new Promise<void>((resolve) => {
      const done = () => {
        stream.off('drain', done);
        stream.off('close', done);
        stream.off('error', done);
        resolve();
      };
      stream.on('drain', done);
      stream.on('close', done);
      stream.on('error', done);
    });
  }

  /**
   * Writes what is gathered and waits until the stream has written all of it to the descriptor. Waiting for
   * 'drain' is not enough: a small last block that met a full pipe sits in the stream's queue without the
   * stream needing a drain, and the process would exit with it unwritten (the last record went missing when
   * the reader was slow).
   */
  async end(): Promise<void> {
    this.push();
    await this.drain();
    if (this.lastWrite !== null) await this.lastWrite;
  }

  private push(): void {
    if (this.pending === '') return;
    // Latin-1 encoding copies a one-byte string as it is, where UTF-8 encoding inspects every character; for
    // text the writer vouches is ASCII (most logs), both give the same bytes.
    const stream = this.stream;
    const text = this.pending;
    const encoding = this.pendingAscii ? 'latin1' : 'utf8';
    // The callback runs once this block is written out; blocks go out in order, so the last one tells for all.
    this.lastWrite = new Promise<void>((resolve) => stream.write(text, encoding, () => resolve()));
    this.pending = '';
    this.pendingAscii = true;
  }
}
