import type { Socket } from 'node:net';
// Imported, not `process.nextTick`: Node's global `process` is a getter, a call per use (per write, unpipelined).
import { nextTick } from 'node:process';
import { AckedReply } from './acked-reply.js';
import type { Client } from './client.js';
import type { CommandContext } from './command-spec.js';
import type { Dispatcher } from './dispatcher.js';
import type { ParsedCommand } from './parsed-command.js';
import { error, OK, type Reply } from './reply.js';
import { encodeReply, type Protocol } from './reply-encoder.js';
import { readDirect } from './direct-reads.js';
import { ReplyWriter } from './reply-writer.js';
import { type CommandSink, RespParser } from './resp-parser.js';
import type { ServerState } from './server-state.js';

/** Stop reading a client's requests while this much of its replies waits in the socket (pipelining floods). */
const READ_PAUSE_BYTES = 1024 * 1024;

/**
 * After a client's FIN, how long replies still awaited may take before the connection closes without them: writes
 * waiting for their sync are answered, as Redis answers what it read before the FIN; a read blocked for good
 * (XREAD BLOCK 0), which Redis drops at the FIN, does not hold the connection open.
 */
const HALF_CLOSED_GRACE_MS = 5000;

/** A reply not yet written: requests answered later than one behind them wait here, in request order. */
interface Slot {
  reply: Reply | null;
}

/** What a free AckWait's arrays hold: nothing of the writes answered. */
const SETTLED: Slot = { reply: null };
const NO_NAME = Buffer.alloc(0);

/**
 * The replies of writes waiting for one acknowledgement of their store (see AckedReply). Reused once answered
 * (a connection keeps the ones free): without pipelining each write of a client waits on its own group, and
 * an object, three arrays and two closures per write cost ~0.25 us of its CPU (perf).
 */
class AckWait {
  acked: Promise<unknown> | null = null;
  /** Writes waiting: the first `n` of the arrays (the rest is stale; `length = 0` would drop their storage). */
  n = 0;
  readonly slots: Slot[] = [];
  readonly replies: Reply[] = [];
  /** The names of the commands waiting, for the log of a failure. */
  readonly names: Buffer[] = [];
  readonly ok: () => void;
  readonly fail: (err: unknown) => void;

  constructor(done: (wait: AckWait, ok: boolean, err: unknown) => void) {
    this.ok = () => done(this, true, null);
    this.fail = (err: unknown) => done(this, false, err);
  }
}

/**
 * One client of the RESP front-end: parses its requests, runs them through the dispatcher, and writes the
 * replies in request order whether a handler answers at once or with a promise. The replies of one chunk's
 * requests leave in one socket write, at the end of the chunk (or when the last promise of it resolves).
 */
export class Connection implements Client, CommandSink {
  readonly id: number;
  protocol: Protocol = 2;
  name: string | null = null;
  readonly closed: Promise<void>;
  readonly context: CommandContext;
  readonly createdAt: number;
  lastInteraction: number;
  lastCommand = 'NULL';
  authenticated: boolean;
  /** Pub/Sub subscriptions by channel/pattern (latin1 strings: binary-safe). */
  readonly channels = new Set<string>();
  readonly patterns = new Set<string>();
  readonly remoteAddress: string;
  readonly localAddress: string;
  readonly socket: Socket;

  private readonly parser: RespParser;
  private readonly out = new ReplyWriter();
  /** Replies not written yet, from `head` on (a head index, not shift/splice: pipelines may be deep). */
  private queue: Slot[] = [];
  private head = 0;
  /** The acknowledgement the last write's reply waits for, while it has not come. */
  private ackWait: AckWait | null = null;
  /** AckWaits answered, for the next acknowledgements to use. */
  private readonly freeWaits: AckWait[] = [];
  private readonly ackedNow = (wait: AckWait, ok: boolean, err: unknown) => this.acked(wait, ok, err);
  private closing = false;
  private ended = false;
  private flushScheduled = false;
  private paused = false;
  private softLimitSince = 0;
  private resolveClosed!: () => void;
  private readonly flushNow = () => {
    this.flushScheduled = false;
    this.flush();
  };

  /** `accepted` is the listener's paused socket (see readDirect); `socket` is the one used from then on. */
  constructor(
    accepted: Socket,
    private readonly server: ServerState,
    private readonly dispatcher: Dispatcher,
  ) {
    this.id = server.nextClientId();
    this.createdAt = server.now();
    this.lastInteraction = this.createdAt;
    this.authenticated = server.password === null;
    this.parser = new RespParser(server.limits);
    const socket = readDirect(accepted, (chunk) => this.onData(chunk));
    this.socket = socket;
    this.context = { connection: this, server };
    this.remoteAddress = `${socket.remoteAddress ?? '?'}:${socket.remotePort ?? 0}`;
    this.localAddress = `${socket.localAddress ?? '?'}:${socket.localPort ?? 0}`;
    this.closed = new Promise((resolve) => {
      this.resolveClosed = resolve;
    });
    socket.setNoDelay(true);
    // Redis's tcp-keepalive 300: a peer that vanished without a FIN is found and its connection freed.
    socket.setKeepAlive(true, 300_000);
    socket.on('drain', () => this.onDrain());
    // A client that half-closes after its requests (`printf … | nc -N`) gets their replies, then the close, as
    // from Redis: the sockets allow half-open, so Node does not end ours at the client's FIN.
    socket.on('end', () => this.onEnd());
    socket.on('error', () => {});
    socket.on('close', () => this.onClose());
  }

  authRequired(): boolean {
    return !this.authenticated;
  }

  /** Connections in Pub/Sub mode (RESP2 restricts their commands; their output buffer has its own limit). */
  get subscriptionCount(): number {
    return this.channels.size + this.patterns.size;
  }

  /** Replies the pending ones, then closes: QUIT, a protocol error. */
  closeAfterReply(): void {
    this.closing = true;
  }

  /** Closes now, dropping what is queued (the output limit, CLIENT KILL, shutdown of an idle client). */
  destroy(): void {
    this.closing = true;
    this.ended = true;
    this.socket.destroy();
  }

  /**
   * Shutdown: reads no more requests, lets the ones already read be answered (up to `graceMs`), then closes.
   */
  async drainAndClose(graceMs: number): Promise<void> {
    // Reads go on, ignored (onData), so a client's FIN is seen and its connection closes at once: a paused
    // onread socket would not read it and would wait out the grace.
    this.closing = true;
    if (!this.waiting()) this.flush();
    const timer = setTimeout(() => this.destroy(), graceMs);
    await this.closed;
    clearTimeout(timer);
  }

  push(reply: Reply): void {
    if (this.ended) return;
    this.enqueue(reply);
    this.scheduleFlush();
    this.checkOutputLimit();
  }

  command(command: ParsedCommand): void {
    if (this.closing) return;
    // The name, kept for the log of a failure (the parser's command is valid only during this call).
    const name = command.arg(0);
    let reply: Reply | Promise<Reply> | AckedReply;
    try {
      reply = this.dispatcher.execute(command, name, this);
    } catch (err) {
      reply = this.server.failure(err, name);
    }
    if (reply instanceof AckedReply) this.awaitAck(reply, name);
    else if (reply instanceof Promise) {
      const slot: Slot = { reply: null };
      this.queue.push(slot);
      reply.then(
        (r) => this.settle(slot, r),
        (err) => this.settle(slot, this.server.failure(err, name)),
      );
    } else this.enqueue(reply);
  }

  private onData(chunk: Buffer): void {
    // Closing (QUIT, a protocol error, shutdown): what comes after is not read as requests, as in Redis.
    if (this.closing) return;
    // Per read, not per command: CLIENT LIST's idle needs no finer clock.
    this.lastInteraction = this.server.now();
    const failed = this.parser.feed(chunk, this);
    if (failed !== null && !this.closing) {
      if (failed.message === null) {
        this.server.logger.warn(
          { client: this.id, addr: this.remoteAddress },
          'closing client that reached the query buffer limit',
        );
        this.destroy();
        return;
      }
      this.server.logger.info({ client: this.id, addr: this.remoteAddress, error: failed.message }, 'protocol error');
      this.enqueue(error(failed.message));
      this.closing = true;
    }
    this.flush();
  }

  private enqueue(reply: Reply): void {
    if (this.waiting()) this.queue.push({ reply });
    else encodeReply(reply, this.protocol, this.out);
  }

  /** Whether earlier replies are still awaited (later ones queue behind them). */
  private waiting(): boolean {
    return this.head < this.queue.length;
  }

  /** Queues a write's reply behind its acknowledgement: one callback per acknowledgement, not per command. */
  private awaitAck(reply: AckedReply, name: Buffer): void {
    const slot: Slot = { reply: null };
    this.queue.push(slot);
    let wait = this.ackWait;
    if (wait === null || wait.acked !== reply.acked) {
      wait = this.freeWaits.pop() ?? new AckWait(this.ackedNow);
      wait.acked = reply.acked;
      this.ackWait = wait;
      reply.acked.then(wait.ok, wait.fail);
    }
    const n = wait.n++;
    wait.slots[n] = slot;
    wait.replies[n] = reply.reply;
    wait.names[n] = name;
  }

  private acked(wait: AckWait, ok: boolean, err: unknown): void {
    if (this.ackWait === wait) this.ackWait = null;
    for (let i = 0; i < wait.n; i++) {
      wait.slots[i]!.reply = ok ? wait.replies[i]! : this.server.failure(err, wait.names[i]!);
      // Let go of what was answered: a free wait of an idle connection would keep its arguments' read slabs.
      wait.slots[i] = SETTLED;
      wait.replies[i] = OK;
      wait.names[i] = NO_NAME;
    }
    wait.acked = null;
    wait.n = 0;
    this.freeWaits.push(wait);
    this.drainSettled();
  }

  private settle(slot: Slot, reply: Reply): void {
    slot.reply = reply;
    if (this.queue[this.head] !== slot) return;
    this.drainSettled();
  }

  /** Encodes the replies at the head of the queue that are settled, in order. */
  private drainSettled(): void {
    const queue = this.queue;
    let i = this.head;
    while (i < queue.length && queue[i]!.reply !== null) {
      encodeReply(queue[i]!.reply!, this.protocol, this.out);
      i++;
    }
    if (i === queue.length) {
      queue.length = 0;
      this.head = 0;
    } else if (i > 4096 && i * 2 > queue.length) {
      // Deep pipeline still pending: drop the written part once it is most of the array (amortised O(1)).
      this.queue = queue.slice(i);
      this.head = 0;
    } else this.head = i;
    this.scheduleFlush();
  }

  private scheduleFlush(): void {
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    nextTick(this.flushNow);
  }

  private flush(): void {
    if (this.ended) return;
    const data = this.out.take();
    if (data !== null) {
      if (Array.isArray(data)) {
        this.socket.cork();
        for (const d of data) this.socket.write(d);
        this.socket.uncork();
      } else this.socket.write(data);
    }
    if (this.closing && !this.waiting()) {
      this.ended = true;
      // Gone for the other clients at once (PUBSUB NUMSUB after a subscriber's QUIT), as in Redis.
      this.server.removeConnection(this);
      this.socket.end();
      return;
    }
    if (!this.paused && this.socket.writableLength > READ_PAUSE_BYTES && this.subscriptionCount === 0) {
      this.paused = true;
      this.socket.pause();
    }
  }

  private onEnd(): void {
    if (this.closing) return;
    this.closing = true;
    if (!this.waiting()) {
      this.flush();
      return;
    }
    const timer = setTimeout(() => this.destroy(), HALF_CLOSED_GRACE_MS);
    timer.unref();
    void this.closed.then(() => clearTimeout(timer));
  }

  private onDrain(): void {
    this.softLimitSince = 0;
    if (this.paused) {
      this.paused = false;
      this.socket.resume();
    }
  }

  /** Redis's `client-output-buffer-limit pubsub`: a subscriber that does not read is cut off, not buffered for. */
  private checkOutputLimit(): void {
    if (this.subscriptionCount === 0) return;
    const pending = this.socket.writableLength + this.out.length;
    const limit = this.server.pubsubOutputLimit;
    const now = this.server.now();
    let over = pending > limit.hardBytes;
    if (!over && pending > limit.softBytes) {
      if (this.softLimitSince === 0) this.softLimitSince = now;
      else over = now - this.softLimitSince >= limit.softSeconds * 1000;
    } else if (pending <= limit.softBytes) this.softLimitSince = 0;
    if (over) {
      this.server.logger.warn(
        { client: this.id, addr: this.remoteAddress, pending },
        'closing subscriber over the pubsub output buffer limit',
      );
      this.server.stats.outputLimitDisconnections++;
      this.destroy();
    }
  }

  private onClose(): void {
    this.ended = true;
    this.closing = true;
    this.server.removeConnection(this);
    this.resolveClosed();
  }
}
