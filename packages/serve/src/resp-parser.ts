import { bufferView } from './buffer-view.js';
import { ParsedCommand } from './parsed-command.js';
import { splitArgs } from './split-args.js';

/** Redis's PROTO_INLINE_MAX_SIZE: the longest inline line, and the longest `*N`/`$N` header, before an error. */
const INLINE_MAX = 64 * 1024;
/** Before AUTH, Redis refuses what only an authenticated client needs (a guess at a password is short). */
const UNAUTHENTICATED_MAX_ARGS = 10;
const UNAUTHENTICATED_MAX_BULK = 16384;
const INT_MAX = 2147483647;
const EMPTY = Buffer.alloc(0);
const EMPTY_MEMORY = EMPTY.buffer;

export interface RespLimits {
  /** proto-max-bulk-len: the longest bulk string a client may send (512 MiB in Redis). */
  readonly maxBulkLength: number;
  /** client-query-buffer-limit: the most bytes one unfinished command may hold (1 GiB in Redis). */
  readonly maxQueryBuffer: number;
}

/** Where parsed commands go; a method rather than a callback so the hot path makes no closure. */
export interface CommandSink {
  /** `command` is the parser's one object, valid only during the call (see ParsedCommand). */
  command(command: ParsedCommand): void;
  /** Whether the client has not authenticated yet while a password is set (tighter header limits apply). */
  authRequired(): boolean;
}

/**
 * Why parsing stopped for good: `message` is the error line to answer (`ERR Protocol error: …`), or null when
 * Redis closes without a word (the query buffer limit).
 */
export interface ProtocolError {
  readonly message: string | null;
}

/**
 * RESP2 requests as Redis's networking.c reads them: multibulk (`*N\r\n$L\r\n…`) and inline lines, any number
 * per chunk (pipelining), resumable at any byte. Arguments are spans of the received chunk, made into Buffer views
 * only when a handler asks (ParsedCommand), and copied only when a command spans chunks. A length is checked against the limits before anything is kept for it, and bytes that
 * only a length claims are never allocated: chunks are gathered until the awaited bulk is complete, then joined
 * once.
 */
export class RespParser {
  private buf: Buffer = EMPTY;
  /** buf's ArrayBuffer and offset, read once per chunk for the argument views. */
  private memory: ArrayBufferLike = EMPTY_MEMORY;
  private memoryOffset = 0;
  private pos = 0;
  /** Chunks received while waiting for `need` bytes; joined once enough have come. */
  private waiting: Buffer[] = [];
  private waitingBytes = 0;
  private need = 0;
  /**
   * The multibulk command in progress: arguments still expected, the ones read (as spans of `buf`, or as
   * Buffers in `args` once the command has spanned chunks: `split`), and their bytes.
   */
  private argsLeft = 0;
  private spans = new Int32Array(64);
  private argCount = 0;
  private split = false;
  private args: Buffer[] = [];
  private argBytes = 0;
  private readonly command = new ParsedCommand();
  private bulkLength = -1;

  constructor(private readonly limits: RespLimits) {}

  /** Parses `chunk` with what was left from earlier ones; a ProtocolError ends the connection. */
  feed(chunk: Buffer, sink: CommandSink): ProtocolError | null {
    if (this.pos >= this.buf.length && this.waitingBytes === 0) {
      this.setBuffer(chunk);
    } else {
      const pending = this.buf.length - this.pos + this.waitingBytes + chunk.length;
      if (pending + this.argBytes > this.limits.maxQueryBuffer) return CLOSE_SILENTLY;
      if (pending < this.need) {
        this.waiting.push(chunk);
        this.waitingBytes += chunk.length;
        return null;
      }
      this.waiting.push(chunk);
      this.setBuffer(Buffer.concat([this.buf.subarray(this.pos), ...this.waiting]));
      this.waiting = [];
      this.waitingBytes = 0;
    }
    this.need = 0;
    const error = this.parse(sink);
    if (this.pos >= this.buf.length) this.setBuffer(EMPTY);
    else if (this.buf.length - this.pos + this.argBytes > this.limits.maxQueryBuffer) return CLOSE_SILENTLY;
    return error;
  }

  private splitCommand(): void {
    for (let i = 0; i < this.argCount; i++)
      this.args.push(bufferView(this.memory, this.memoryOffset, this.spans[2 * i]!, this.spans[2 * i + 1]!));
    this.split = true;
  }

  private setBuffer(buf: Buffer): void {
    // The arguments read so far of a command in progress lie in the buffer let go of: made into views of it.
    if (this.argCount > 0 && !this.split) this.splitCommand();
    this.buf = buf;
    // A read of `.buffer` is a C++ call: not for the empty buffer set after each complete chunk.
    this.memory = buf === EMPTY ? EMPTY_MEMORY : buf.buffer;
    this.memoryOffset = buf.byteOffset;
    this.pos = 0;
  }

  private parse(sink: CommandSink): ProtocolError | null {
    const buf = this.buf;
    const end = buf.length;
    while (this.pos < end) {
      if (this.argsLeft === 0) {
        if (buf[this.pos] !== 0x2a) {
          const r = this.inline(sink);
          if (r !== true) return r;
          continue;
        }
        const cr = findCr(buf, this.pos);
        if (cr === -1) return end - this.pos > INLINE_MAX ? protocolError('too big mbulk count string') : null;
        if (cr + 2 > end) return null;
        const n = parseLength(buf, this.pos + 1, cr);
        if (n === null || n > INT_MAX) return protocolError('invalid multibulk length');
        if (n > UNAUTHENTICATED_MAX_ARGS && sink.authRequired())
          return protocolError('unauthenticated multibulk length');
        this.pos = cr + 2;
        if (n <= 0) continue;
        this.argsLeft = n;
        if (2 * n > this.spans.length && n <= SPANS_MAX) this.spans = new Int32Array(2 * n);
      }
      // Inside a multibulk: a `$L` header, then L bytes and two that Redis skips without looking.
      while (this.argsLeft > 0) {
        if (this.bulkLength < 0) {
          if (this.pos >= end) return null;
          const cr = findCr(buf, this.pos);
          if (cr === -1) return end - this.pos > INLINE_MAX ? protocolError('too big bulk count string') : null;
          if (cr + 2 > end) return null;
          if (buf[this.pos] !== 0x24)
            return protocolError(`expected '$', got '${String.fromCharCode(printable(buf[this.pos]!))}'`);
          const len = parseLength(buf, this.pos + 1, cr);
          if (len === null || len < 0 || len > this.limits.maxBulkLength) return protocolError('invalid bulk length');
          if (len > UNAUTHENTICATED_MAX_BULK && sink.authRequired())
            return protocolError('unauthenticated bulk length');
          if (this.argBytes + len > this.limits.maxQueryBuffer) return CLOSE_SILENTLY;
          this.bulkLength = len;
          this.pos = cr + 2;
        }
        const stop = this.pos + this.bulkLength;
        if (stop + 2 > end) {
          this.need = this.bulkLength + 2;
          return null;
        }
        if (this.split || 2 * this.argCount + 2 > this.spans.length) {
          if (!this.split) this.splitCommand();
          this.args.push(bufferView(this.memory, this.memoryOffset, this.pos, stop));
        } else {
          this.spans[2 * this.argCount] = this.pos;
          this.spans[2 * this.argCount + 1] = stop;
        }
        this.argCount++;
        this.argBytes += this.bulkLength;
        this.pos = stop + 2;
        this.bulkLength = -1;
        this.argsLeft--;
      }
      const command = this.command;
      if (this.split) {
        command.resetViews(this.args);
        this.args = [];
        this.split = false;
      } else command.reset(buf, this.memory, this.memoryOffset, this.spans, this.argCount);
      this.argCount = 0;
      this.argBytes = 0;
      sink.command(command);
    }
    return null;
  }

  /** One inline line (`PING`, `SET k "a b"`), as typed into nc; true when one was consumed. */
  private inline(sink: CommandSink): ProtocolError | null | true {
    const buf = this.buf;
    const nl = buf.indexOf(10, this.pos);
    if (nl === -1) return buf.length - this.pos > INLINE_MAX ? protocolError('too big inline request') : null;
    const lineEnd = nl > this.pos && buf[nl - 1] === 13 ? nl - 1 : nl;
    const args = splitArgs(buf.subarray(this.pos, lineEnd));
    if (args === null) return protocolError('unbalanced quotes in request');
    this.pos = nl + 1;
    if (args.length > 0) {
      this.command.resetViews(args);
      sink.command(this.command);
    }
    return true;
  }
}

/**
 * Commands of up to this many arguments are read as spans (a 16 KiB array at most per connection); a longer
 * one (an MSET of thousands of keys) as Buffers, as arguments arrive.
 */
const SPANS_MAX = 2048;

const CLOSE_SILENTLY: ProtocolError = { message: null };

function protocolError(what: string): ProtocolError {
  return { message: `ERR Protocol error: ${what}` };
}

/**
 * `buf.indexOf(13, from)`: a `*N`/`$N` header is a few bytes, which a loop scans in less time than the native
 * call takes to start (four headers per SET).
 */
function findCr(buf: Buffer, from: number): number {
  const stop = Math.min(buf.length, from + 24);
  for (let i = from; i < stop; i++) if (buf[i] === 13) return i;
  return stop === buf.length ? -1 : buf.indexOf(13, stop);
}

/** Redis maps CR and LF in an error line to spaces, so the reply stays one line. */
const printable = (c: number) => (c === 13 || c === 10 ? 0x20 : c);

/**
 * A decimal as Redis's string2ll accepts it: an optional '-', no '+', no leading zeros, no blanks; null when
 * not one (or beyond 2^53, which is past every limit anyway).
 */
function parseLength(buf: Buffer, start: number, end: number): number | null {
  if (start >= end || end - start > 17) return null;
  let i = start;
  const negative = buf[i] === 0x2d;
  if (negative) i++;
  if (i >= end) return null;
  if (buf[i] === 0x30) return i + 1 === end && !negative ? 0 : null;
  let n = 0;
  for (; i < end; i++) {
    const d = buf[i]! - 0x30;
    if (d < 0 || d > 9) return null;
    n = n * 10 + d;
  }
  return negative ? -n : n;
}
