import { connect, type Socket } from 'node:net';
import { crc32 } from 'node:zlib';
import { EscError } from '@esc/core';
import { TopicNameCache } from './pls-command.js';
import { CLOSE_FRAME, CRC_BYTES, DEFAULT_MAX_FRAME_BYTES, FRAME_HEADER_BYTES, FrameDecoder } from './pls-frame.js';

/** A record delivered to a subscriber. */
export interface PlsMessage {
  topic: string;
  payload: Buffer;
}

/** The server's answer to a barrier: this connection's PUBs appended and refused so far. */
export interface PlsAck {
  appended: number;
  refused: number;
}

export interface PlsClientOptions {
  host?: string;
  port: number;
  /** Send `PNG` this often (default 30 s, as the original client; 0: never). */
  heartbeatMs?: number;
  maxFrameBytes?: number;
}

/** The connection closed, or the server sent what the protocol does not allow. */
export class PlsClientError extends EscError {}

/** Deliveries queued for a slow reader above which the socket is not read (TCP then slows the server). */
const QUEUE_HIGH = 4096;
const SPACE = 0x20;
/** The least a turn's outgoing buffer is made with. */
const OUT_CHUNK = 64 * 1024;
const BANG = 0x21;

/**
 * A PyLogStreams client written from docs/formats/pls-protocol.md. Commands are pipelined (nothing waits for a
 * reply except `register` and `flush`); a PUB carries the zlib CRC-32 of its payload. Deliveries are read as an
 * async iterator (one by one, or in batches), and the socket is read only as fast as the iterator is consumed.
 */
export class PlsClient {
  private readonly decoder: FrameDecoder;
  /** Deliveries not yet taken by `messages()`: queue[head…]. An index, because shift() copies a long array. */
  private queue: PlsMessage[] = [];
  private head = 0;
  private reader: (() => void) | null = null;
  private registering: { resolve: (id: string) => void; reject: (err: Error) => void } | null = null;
  private readonly barriers = new Map<string, { resolve: (ack: PlsAck) => void; reject: (err: Error) => void }>();
  private nextToken = 1;
  private subscribedOnce = false;
  /** `PUB <topic> ` of the last topic published to. */
  private pubTopic = '';
  private pubPrefix: Buffer = Buffer.alloc(0);
  private readonly topicNames = new TopicNameCache();
  private out: Buffer = Buffer.allocUnsafe(OUT_CHUNK);
  private outLength = 0;
  private flushQueued = false;
  private failure: Error | null = null;
  private readonly heartbeat: NodeJS.Timeout | null;
  readonly closed: Promise<void>;

  private constructor(
    private readonly socket: Socket,
    options: PlsClientOptions,
  ) {
    this.decoder = new FrameDecoder(options.maxFrameBytes ?? DEFAULT_MAX_FRAME_BYTES + 1024, false);
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.data(chunk));
    this.closed = new Promise((resolve) => {
      socket.on('close', () => {
        this.fail(new PlsClientError('the PLS connection closed'));
        resolve();
      });
    });
    socket.on('error', (err) => this.fail(new PlsClientError(`PLS connection: ${err.message}`)));
    const every = options.heartbeatMs ?? 30_000;
    this.heartbeat = every > 0 ? setInterval(() => this.ping(), every) : null;
    this.heartbeat?.unref();
  }

  static connect(options: PlsClientOptions): Promise<PlsClient> {
    return new Promise((resolve, reject) => {
      const socket = connect(options.port, options.host ?? '127.0.0.1');
      socket.once('error', reject);
      socket.once('connect', () => {
        socket.off('error', reject);
        resolve(new PlsClient(socket, options));
      });
    });
  }

  /** REG: a new client id from the server, which logs this connection in as it. */
  register(): Promise<string> {
    if (this.subscribedOnce || this.registering !== null)
      throw new PlsClientError('register before subscribing: the id reply would be mixed with deliveries');
    return new Promise((resolve, reject) => {
      this.registering = { resolve, reject };
      this.send('REG');
    });
  }

  /** CID: log in as an existing client id (its offsets carry on where it left off). */
  login(clientId: string): void {
    this.send(`CID ${clientId}`);
  }

  /** SUB: deliveries of the topic from the client's offset, or from its first record. */
  subscribe(topic: string): void {
    this.subscribedOnce = true;
    this.send(`SUB ${topic}`);
  }

  /** SET: the next offset to deliver from (-1: the end of the log). */
  setOffset(topic: string, offset: number): void {
    this.send(`SET ${topic} ${offset}`);
  }

  /** PNG: the heartbeat. */
  ping(): void {
    this.send('PNG');
  }

  /** PUB, pipelined: returns at once; `flush` says when it is in the log. */
  publish(topic: string, payload: Buffer | string): void {
    const body = typeof payload === 'string' ? Buffer.from(payload, 'utf8') : payload;
    if (topic !== this.pubTopic) {
      this.pubTopic = topic;
      this.pubPrefix = Buffer.from(`PUB ${topic} `, 'latin1');
    }
    const head = this.pubPrefix;
    const out = this.reserve(FRAME_HEADER_BYTES + head.length + body.length + CRC_BYTES);
    let pos = this.outLength;
    out.writeUInt32BE(head.length + body.length, pos);
    pos += FRAME_HEADER_BYTES;
    pos += head.copy(out, pos);
    pos += body.copy(out, pos);
    out.writeUInt32BE(crc32(body) >>> 0, pos);
    this.outLength = pos + CRC_BYTES;
  }

  /** `PNG <token>`: resolves once every PUB sent before it has been appended (per the server's --sync) or refused. */
  flush(): Promise<PlsAck> {
    if (this.failure !== null) return Promise.reject(this.failure);
    const token = String(this.nextToken++);
    return new Promise((resolve, reject) => {
      this.barriers.set(token, { resolve, reject });
      this.send(`PNG ${token}`);
    });
  }

  /**
   * Deliveries in batches: everything received and not yet taken, as it comes (a Kafka consumer's poll); ends
   * when the connection closes. Use this or `messages()`, not both.
   */
  async *batches(): AsyncGenerator<PlsMessage[]> {
    for (;;) {
      if (this.head < this.queue.length) {
        const batch = this.head === 0 ? this.queue : this.queue.slice(this.head);
        this.queue = [];
        this.head = 0;
        if (this.socket.isPaused()) this.socket.resume();
        yield batch;
        continue;
      }
      if (this.failure !== null) return;
      await new Promise<void>((resolve) => (this.reader = resolve));
      this.reader = null;
    }
  }

  /** Deliveries as they come; ends when the connection closes. */
  async *messages(): AsyncGenerator<PlsMessage> {
    for (;;) {
      if (this.head < this.queue.length) {
        const message = this.queue[this.head++]!;
        if (this.head === this.queue.length) {
          this.queue = [];
          this.head = 0;
        }
        if (this.queue.length - this.head < QUEUE_HIGH / 4 && this.socket.isPaused()) this.socket.resume();
        yield message;
        continue;
      }
      if (this.failure !== null) return;
      await new Promise<void>((resolve) => (this.reader = resolve));
      this.reader = null;
    }
  }

  /** Says goodbye (a zero length) and waits for the server to close. */
  async close(): Promise<void> {
    if (this.heartbeat !== null) clearInterval(this.heartbeat);
    this.sendOut();
    if (!this.socket.destroyed) this.socket.end(CLOSE_FRAME);
    await this.closed;
  }

  /** Sends raw bytes (tests of what the server does with bad input). */
  writeRaw(bytes: Buffer): void {
    this.write(bytes);
  }

  private send(body: string): void {
    const out = this.reserve(FRAME_HEADER_BYTES + body.length);
    out.writeUInt32BE(body.length, this.outLength);
    out.write(body, this.outLength + FRAME_HEADER_BYTES, 'latin1');
    this.outLength += FRAME_HEADER_BYTES + body.length;
  }

  private write(bytes: Buffer): void {
    this.reserve(bytes.length);
    this.outLength += bytes.copy(this.out, this.outLength);
  }

  /**
   * Room for `n` more bytes in the buffer of this turn's frames, which leaves in one socket write at the end of
   * the turn: a write per frame cost a pipelining producer more than building the frames.
   */
  private reserve(n: number): Buffer {
    if (this.outLength + n > this.out.length) {
      const grown = Buffer.allocUnsafe(Math.max(OUT_CHUNK, 2 * this.out.length, this.outLength + n));
      this.out.copy(grown, 0, 0, this.outLength);
      this.out = grown;
    }
    if (!this.flushQueued) {
      this.flushQueued = true;
      process.nextTick(() => this.sendOut());
    }
    return this.out;
  }

  private sendOut(): void {
    this.flushQueued = false;
    if (this.outLength === 0) return;
    const bytes = this.out.subarray(0, this.outLength);
    // The socket keeps the bytes until they are sent: the next turn gets a buffer of its own.
    this.out = Buffer.allocUnsafe(OUT_CHUNK);
    this.outLength = 0;
    if (!this.socket.destroyed) this.socket.write(bytes);
  }

  private data(chunk: Buffer): void {
    try {
      this.decoder.push(chunk, (body) => this.frame(body));
    } catch (err) {
      this.fail(err as Error);
      this.socket.destroy();
    }
    if (this.queue.length - this.head >= QUEUE_HIGH) this.socket.pause();
    this.reader?.();
  }

  private frame(body: Buffer): void {
    if (body[0] === BANG) {
      this.control(body.toString('latin1'));
      return;
    }
    if (this.registering !== null) {
      const { resolve } = this.registering;
      this.registering = null;
      resolve(body.toString('latin1'));
      return;
    }
    const space = body.indexOf(SPACE);
    if (space < 0) throw new PlsClientError('a delivery without a space between topic and payload');
    this.queue.push({ topic: this.topicNames.name(body, 0, space), payload: body.subarray(space + 1) });
  }

  private control(text: string): void {
    const [kind, token, appended, refused] = text.split(' ');
    const barrier = kind === '!ACK' && token !== undefined ? this.barriers.get(token) : undefined;
    if (barrier === undefined) throw new PlsClientError(`unexpected reply '${text.slice(0, 40)}'`);
    this.barriers.delete(token!);
    barrier.resolve({ appended: Number(appended), refused: Number(refused) });
  }

  private fail(err: Error): void {
    if (this.failure !== null) return;
    this.failure = err;
    if (this.heartbeat !== null) clearInterval(this.heartbeat);
    this.registering?.reject(err);
    this.registering = null;
    for (const b of this.barriers.values()) b.reject(err);
    this.barriers.clear();
    this.reader?.();
  }
}
