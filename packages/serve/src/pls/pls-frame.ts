import { EscError } from '@esc/core';

/**
 * PyLogStreams framing (docs/formats/pls-protocol.md): `[u32 big-endian length][body]`; a PUB frame is followed
 * by 4 more bytes, the big-endian zlib CRC-32 of its payload, outside the length. A length of 0 closes.
 */
export const FRAME_HEADER_BYTES = 4;
export const CRC_BYTES = 4;
/** Largest frame body by default: 1 MiB, a PUB of a little under 1 MiB of payload. */
export const DEFAULT_MAX_FRAME_BYTES = 1024 * 1024;

/** A length beyond the limit, or a stream that cannot be PyLogStreams: the connection is closed. */
export class PlsProtocolError extends EscError {}

/** Called per whole frame; `crc` is the trailing CRC of a PUB frame, -1 for every other frame. */
export type FrameHandler = (body: Buffer, crc: number) => void;

const P = 0x50;
const U = 0x55;
const B = 0x42;

/**
 * Splits a byte stream into frames. Bodies are views into the chunks received (no copy) unless a frame spans
 * chunks; a length is checked against the limit as soon as its 4 bytes are in, and a frame spanning chunks is
 * joined only once all of it has arrived, so memory follows what the peer sent, never what it claimed.
 */
export class FrameDecoder {
  private parts: Buffer[] = [];
  private partsBytes = 0;
  /** Bytes needed before the parts are worth joining. */
  private need = 0;
  private closed = false;

  constructor(
    private readonly maxFrameBytes: number = DEFAULT_MAX_FRAME_BYTES,
    /** The server reads PUB's CRC trailer; a client's deliveries have none (a topic may be named PUB). */
    private readonly pubHasCrc: boolean = true,
  ) {}

  /** Feeds bytes; returns false once a zero length has been read (the frames before it were handed over). */
  push(chunk: Buffer, onFrame: FrameHandler): boolean {
    if (this.closed) return false;
    // An unfinished frame takes from the new chunk only the bytes it lacks: joining it with the whole chunk
    // copied every 64 KiB read once more (a fifth of a producer's server time, with 1 KiB frames).
    while (this.parts.length > 0) {
      const take = Math.min(chunk.length, this.need - this.partsBytes);
      this.parts.push(chunk.subarray(0, take));
      this.partsBytes += take;
      chunk = chunk.subarray(take);
      if (this.partsBytes < this.need) return true;
      const joined = Buffer.concat(this.parts, this.partsBytes);
      this.parts = [];
      this.partsBytes = 0;
      if (!this.parse(joined, onFrame)) return false;
    }
    return this.parse(chunk, onFrame);
  }

  private parse(chunk: Buffer, onFrame: FrameHandler): boolean {
    let pos = 0;
    const end = chunk.length;
    while (pos < end) {
      const avail = end - pos;
      if (avail < FRAME_HEADER_BYTES) return this.keep(chunk, pos, FRAME_HEADER_BYTES);
      const length = chunk.readUInt32BE(pos);
      if (length === 0) {
        this.closed = true;
        return false;
      }
      if (length > this.maxFrameBytes)
        throw new PlsProtocolError(`frame length ${length} exceeds the limit of ${this.maxFrameBytes} bytes`);
      if (avail < FRAME_HEADER_BYTES + Math.min(length, 3))
        return this.keep(chunk, pos, FRAME_HEADER_BYTES + Math.min(length, 3));
      const b = pos + FRAME_HEADER_BYTES;
      const isPub = this.pubHasCrc && length >= 3 && chunk[b] === P && chunk[b + 1] === U && chunk[b + 2] === B;
      const total = FRAME_HEADER_BYTES + length + (isPub ? CRC_BYTES : 0);
      if (avail < total) return this.keep(chunk, pos, total);
      onFrame(chunk.subarray(b, b + length), isPub ? chunk.readUInt32BE(b + length) : -1);
      pos += total;
    }
    return true;
  }

  /** Bytes held for an unfinished frame (for tests and limits). */
  get buffered(): number {
    return this.partsBytes;
  }

  private keep(chunk: Buffer, pos: number, need: number): true {
    const rest = chunk.subarray(pos);
    this.parts.push(rest);
    this.partsBytes = rest.length;
    this.need = need;
    return true;
  }
}

/** `[length][body]`, with a CRC trailer when one is given. */
export function encodeFrame(body: Buffer | string, crc?: number): Buffer {
  const bytes = typeof body === 'string' ? Buffer.from(body, 'latin1') : body;
  const out = Buffer.allocUnsafe(FRAME_HEADER_BYTES + bytes.length + (crc === undefined ? 0 : CRC_BYTES));
  out.writeUInt32BE(bytes.length, 0);
  bytes.copy(out, FRAME_HEADER_BYTES);
  if (crc !== undefined) out.writeUInt32BE(crc >>> 0, FRAME_HEADER_BYTES + bytes.length);
  return out;
}

/** The frame that closes a connection. */
export const CLOSE_FRAME: Buffer = Buffer.alloc(FRAME_HEADER_BYTES);
