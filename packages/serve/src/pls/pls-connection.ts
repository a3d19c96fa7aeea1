import { randomUUID } from 'node:crypto';
import type { Socket } from 'node:net';
import type { PeriodicSync, SyncMode, TopicStore } from '@esc/streams';
import type { ClientOffsets } from './client-offsets.js';
import type { LagGate } from './lag-gate.js';
import type { PartitionWatches } from './partition-watches.js';
import { type PlsCommand, parseCommand, TopicNameCache } from './pls-command.js';
import { PlsDelivery } from './pls-delivery.js';
import { FrameDecoder, PlsProtocolError, encodeFrame } from './pls-frame.js';
import type { PlsLogger } from './pls-logger.js';
import { PlsPublisher } from './pls-publisher.js';
import type { PlsCounters } from './pls-stats.js';
import { checkPlsTopic, ensureTopic } from './pls-topic.js';
import type { RecentFrames } from './recent-frames.js';

/** How long a shutdown waits for a connection's written frames to be flushed. */
const SHUTDOWN_FLUSH_MS = 2000;
const EMPTY = Buffer.alloc(0);
/** Why a connection's socket is not read: its PUBs wait for the store, or a subscriber of its topics lags. */
const FOR_STORE = 1;
const FOR_SUBSCRIBERS = 2;

/** What a connection shares with the server and the other connections. */
export interface ConnectionHost {
  readonly topics: TopicStore;
  readonly sync: SyncMode;
  /** Under --sync batch: the once-a-second fdatasync of what PUBs wrote. */
  readonly periodicSync: PeriodicSync | null;
  readonly logger: PlsLogger;
  readonly counters: PlsCounters;
  readonly offsets: ClientOffsets;
  readonly watches: PartitionWatches;
  /** The frames of the records appended last, for subscribers at the end of the log. */
  readonly recent: RecentFrames;
  /** Holds the producers of a topic while one of its subscribers lags too far. */
  readonly gate: LagGate;
  readonly maxFrameBytes: number;
  readonly maxPendingBytes: number;
  /** Makes `connection` the one that delivers for `clientId`, stopping the previous one's deliveries. */
  claim(clientId: string, connection: PlsConnection): void;
  /** The connection delivering for a client id now, if any. */
  deliveringFor(clientId: string): PlsConnection | undefined;
  closed(connection: PlsConnection): void;
}

/**
 * One PLS connection: frames in, commands run in the order they came, deliveries and barrier replies out. States:
 * anonymous until REG or CID, then logged in as a client id (REG/CID again switch ids). Any command but REG and CID
 * before logging in, a malformed frame or an unknown command close this connection only, as the original closed
 * it for a command before registering.
 */
export class PlsConnection {
  /** When the last whole frame arrived (the heartbeat limit counts from here). */
  lastHeard = Date.now();
  private clientId: string | null = null;
  private delivery: PlsDelivery | null = null;
  private readonly decoder: FrameDecoder;
  private readonly publisher: PlsPublisher;
  private heard = false;
  private closing = false;
  /** FOR_STORE | FOR_SUBSCRIBERS: the reasons the socket is paused now. */
  private paused = 0;
  private readonly onFrame = (body: Buffer, crc: number) => this.frame(body, crc);
  private readonly topicNames = new TopicNameCache();

  constructor(
    readonly socket: Socket,
    private readonly host: ConnectionHost,
  ) {
    this.decoder = new FrameDecoder(host.maxFrameBytes);
    this.publisher = new PlsPublisher({
      topics: host.topics,
      sync: host.sync,
      periodicSync: host.periodicSync,
      logger: host.logger,
      counters: host.counters,
      maxPendingBytes: host.maxPendingBytes,
      clientId: () => this.clientId,
      appended: (topic, payloads, ack) => {
        // Frames are kept only for topics someone here follows.
        if (host.watches.follows(topic)) host.recent.appended(topic, payloads, ack);
        host.watches.notifyTopic(topic);
        host.gate.appended(topic);
      },
      reply: (body) => this.send(body),
      pauseReading: () => this.pauseFor(FOR_STORE, true),
      resumeReading: () => this.pauseFor(FOR_STORE, false),
    });
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.data(chunk));
    socket.on('error', () => {
      /* a reset peer: 'close' follows */
    });
    socket.on('close', () => this.cleanUp());
  }

  get client(): string | null {
    return this.clientId;
  }

  /** Not read now, so its silence does not count against the heartbeat limit. */
  get held(): boolean {
    return this.paused !== 0;
  }

  /** A topic was held or freed by the gate: read this connection only while none of its topics is held. */
  gateChanged(): void {
    const { gate } = this.host;
    let held = false;
    if (gate.holdingAny) for (const topic of this.publisher.topics) if ((held = gate.isHeld(topic))) break;
    this.pauseFor(FOR_SUBSCRIBERS, held);
  }

  /** Closes for silence past the heartbeat limit. */
  timeOut(limitMs: number): void {
    this.host.counters.heartbeatTimeouts++;
    this.host.logger.info(
      { client: this.clientId, remote: this.socket.remoteAddress, limitMs },
      'PLS client silent past the heartbeat limit; disconnected',
    );
    this.socket.destroy();
  }

  /**
   * Server shutdown, first half: stop reading and delivering, let the PUBs already received land, and wait until
   * the frames already written are flushed (their offsets are then set). The server ends the socket once the
   * offsets are committed, so a client that sees the close and reconnects finds them.
   */
  async drain(): Promise<void> {
    this.closing = true;
    this.socket.pause();
    this.delivery?.stop();
    await this.publisher.idle();
    await new Promise<void>((resolve) => {
      if (this.socket.destroyed) return resolve();
      // Not for a client that stopped reading.
      const timer = setTimeout(resolve, SHUTDOWN_FLUSH_MS);
      const done = () => {
        clearTimeout(timer);
        resolve();
      };
      this.socket.once('close', done);
      this.socket.write(EMPTY, done);
    });
  }

  stopDelivering(): void {
    this.delivery?.stop();
    this.delivery = null;
  }

  /** SET from any connection of this client: move this connection's readers. */
  reposition(topic: string, offsets: readonly number[]): void {
    this.delivery?.reposition(topic, offsets);
  }

  private data(chunk: Buffer): void {
    if (this.closing) return;
    this.heard = false;
    let open: boolean;
    try {
      open = this.decoder.push(chunk, this.onFrame);
    } catch (err) {
      if (err instanceof PlsProtocolError) this.protocolError(err);
      else this.fail(err);
      return;
    }
    if (this.heard) this.lastHeard = Date.now();
    // A producer that just published to a held topic for the first time.
    if (this.host.gate.holdingAny) this.gateChanged();
    this.publisher.flush();
    if (!open && !this.closing) {
      // A zero length: the client said goodbye. What it published is still appended.
      this.closing = true;
      this.delivery?.stop();
      this.socket.end();
    }
  }

  private frame(body: Buffer, crc: number): void {
    if (this.closing) return;
    this.heard = true;
    const command = parseCommand(body, this.topicNames);
    if (command.kind !== 'REG' && command.kind !== 'CID' && this.clientId === null)
      throw new PlsProtocolError(`${command.kind} before REG or CID`);
    this.run(command, crc);
  }

  private run(command: PlsCommand, crc: number): void {
    switch (command.kind) {
      case 'PUB':
        this.publisher.publish(command.topic, command.payload, crc);
        return;
      case 'PNG':
        if (command.token !== null) this.publisher.barrier(command.token);
        return;
      case 'REG': {
        const id = randomUUID();
        this.send(id);
        this.logIn(id);
        this.host.logger.info({ client: id, remote: this.socket.remoteAddress }, 'PLS client registered');
        return;
      }
      case 'CID':
        this.logIn(command.clientId);
        return;
      case 'SUB':
        this.checkTopic(command.topic);
        if (this.delivery === null) {
          this.host.claim(this.clientId!, this);
          this.delivery = new PlsDelivery(
            {
              socket: this.socket,
              topics: this.host.topics,
              offsets: this.host.offsets,
              watches: this.host.watches,
              recent: this.host.recent,
              gate: this.host.gate,
              logger: this.host.logger,
              counters: this.host.counters,
              fail: (err) => this.fail(err),
            },
            this.clientId!,
          );
        }
        this.delivery.subscribe(command.topic);
        return;
      case 'SET':
        this.checkTopic(command.topic);
        this.setOffset(command.topic, command.offset);
        return;
    }
  }

  private logIn(clientId: string): void {
    if (clientId === this.clientId) return;
    this.stopDelivering();
    this.clientId = clientId;
  }

  /**
   * SET: -1 is the end of the log (only records published from now on), other offsets are clamped to what the
   * log holds; applied to every partition of the topic and committed at once, so it survives a restart.
   */
  private setOffset(topic: string, offset: number): void {
    const { topics, offsets } = this.host;
    const clientId = this.clientId!;
    const partitions = ensureTopic(topics, topic);
    const resolved: number[] = [];
    for (let p = 0; p < partitions; p++) {
      const { earliest, next } = topics.bounds(topic, p);
      const at = offset === -1 ? next : Math.min(Math.max(offset, earliest), next);
      resolved.push(at);
      offsets.set(clientId, topic, p, at);
    }
    this.host.deliveringFor(clientId)?.reposition(topic, resolved);
  }

  private checkTopic(topic: string): void {
    const problem = checkPlsTopic(topic);
    if (problem !== null) throw new PlsProtocolError(problem);
  }

  private send(body: string): void {
    if (!this.socket.destroyed) this.socket.write(encodeFrame(body));
  }

  private pauseFor(reason: number, on: boolean): void {
    const before = this.paused;
    this.paused = on ? before | reason : before & ~reason;
    if (before === 0 && this.paused !== 0) this.socket.pause();
    else if (before !== 0 && this.paused === 0 && !this.closing) {
      // Silence while not read is the server's doing, not the client's.
      this.lastHeard = Date.now();
      this.socket.resume();
    }
  }

  private protocolError(err: unknown): void {
    this.host.counters.protocolErrors++;
    this.host.logger.warn(
      { client: this.clientId, remote: this.socket.remoteAddress, error: (err as Error).message },
      'PLS protocol error; connection closed',
    );
    this.close();
  }

  private fail(err: unknown): void {
    this.host.logger.error(
      { client: this.clientId, remote: this.socket.remoteAddress, error: (err as Error).message },
      'PLS command failed; connection closed',
    );
    this.close();
  }

  private close(): void {
    this.closing = true;
    this.delivery?.stop();
    this.socket.destroy();
  }

  private cleanUp(): void {
    this.closing = true;
    this.delivery?.stop();
    this.host.closed(this);
  }
}
