import { crc32 } from 'node:zlib';
import { type AppendAck, type PeriodicSync, RecordTooLargeError, type SyncMode, type TopicStore } from '@esc/streams';
import type { PlsLogger } from './pls-logger.js';
import type { PlsCounters } from './pls-stats.js';
import { checkPlsTopic } from './pls-topic.js';

/** What the publisher needs of its connection and server. */
export interface PublisherHost {
  readonly topics: TopicStore;
  readonly sync: SyncMode;
  /** Set under --sync batch: appends are written with 'none' and synced by it once a second. */
  readonly periodicSync: PeriodicSync | null;
  readonly logger: PlsLogger;
  readonly counters: PlsCounters;
  /** Payload bytes waiting for the store above which the socket stops being read. */
  readonly maxPendingBytes: number;
  clientId(): string | null;
  /** These payloads were appended to the topic, where the ack says (wakes subscribers). */
  appended(topic: string, payloads: readonly Buffer[], ack: AppendAck): void;
  /** Sends a frame body (the reply to a PNG barrier). */
  reply(body: string): void;
  pauseReading(): void;
  resumeReading(): void;
}

/**
 * A connection's PUBs. Records are gathered per topic while one append per connection is in flight; when it lands
 * the next append takes all that gathered meanwhile, so a pipelining producer's records reach the store in large
 * groups and in the order they were sent, and an append that fails whole (a record over maxMessageBytes) can be
 * retried record by record without reordering. Above maxPendingBytes the socket is not read: memory is bounded
 * by TCP's back-pressure, not by the producer's patience.
 *
 * A PUB counts as acknowledged when its append has resolved under the server's --sync mode. The protocol has no
 * reply to PUB; `PNG <token>` is the barrier that reports it (docs/formats/pls-protocol.md).
 */
export class PlsPublisher {
  /** Payloads gathered per topic (a column for TopicStore.produce: no object per record). */
  private pending = new Map<string, Buffer[]>();
  private pendingBytes = 0;
  private inflight: Promise<void> | null = null;
  private paused = false;
  /** PUB frames received, and of those: appended, refused (bad CRC, bad topic, too large, store error). */
  private received = 0;
  private appendedCount = 0;
  private refusedCount = 0;
  private readonly barriers: { token: string; at: number }[] = [];
  /** The last topic that passed checkPlsTopic. */
  private goodTopic = '';
  /** Every topic this connection has published to (its reading waits while a subscriber of one lags). */
  readonly topics = new Set<string>();
  /** The first PUB (by arrival number) in the gathered records and in the append in flight. */
  private pendingFirst = Number.POSITIVE_INFINITY;
  private inflightFirst = Number.POSITIVE_INFINITY;

  constructor(private readonly host: PublisherHost) {}

  /** One PUB frame. */
  publish(topic: string, payload: Buffer, crc: number): void {
    this.received++;
    const actual = crc32(payload) >>> 0;
    if (actual !== crc) {
      this.host.counters.crcErrors++;
      this.refuse(1, 'PUB refused: CRC-32 does not match the payload', {
        topic,
        bytes: payload.length,
        crc: hex(crc),
        expected: hex(actual),
      });
      return;
    }
    if (topic !== this.goodTopic) {
      const problem = checkPlsTopic(topic);
      if (problem !== null) {
        this.refuse(1, 'PUB refused: bad topic', { topic, reason: problem });
        return;
      }
      this.goodTopic = topic;
      this.topics.add(topic);
    }
    if (this.pending.size === 0) this.pendingFirst = this.received;
    let records = this.pending.get(topic);
    if (records === undefined) this.pending.set(topic, (records = []));
    records.push(payload);
    this.pendingBytes += payload.length;
    if (this.pendingBytes > this.host.maxPendingBytes && !this.paused) {
      this.paused = true;
      this.host.pauseReading();
    }
  }

  /** `PNG <token>`: answered `!ACK <token> <appended> <refused>` once every PUB received before it has settled. */
  barrier(token: string): void {
    this.barriers.push({ token, at: this.received });
    this.answerBarriers();
  }

  /** Hands what was gathered to the store, unless an append is in flight (its completion does it). */
  flush(): void {
    if (this.inflight !== null || this.pending.size === 0) return;
    const batch = this.pending;
    this.pending = new Map();
    this.pendingBytes = 0;
    this.inflightFirst = this.pendingFirst;
    this.pendingFirst = Number.POSITIVE_INFINITY;
    this.inflight = Promise.all([...batch].map(([topic, records]) => this.append(topic, records))).then(() => {
      this.inflight = null;
      this.inflightFirst = Number.POSITIVE_INFINITY;
      this.answerBarriers();
      if (this.paused && this.pendingBytes <= this.host.maxPendingBytes) {
        this.paused = false;
        this.host.resumeReading();
      }
      this.flush();
    });
  }

  /** Resolves when everything received so far has settled. */
  async idle(): Promise<void> {
    this.flush();
    while (this.inflight !== null) {
      await this.inflight;
      this.flush();
    }
  }

  private async append(topic: string, records: Buffer[]): Promise<void> {
    const { periodicSync } = this.host;
    try {
      const ack = await this.host.topics.produce(
        topic,
        { values: records },
        { sync: periodicSync === null ? this.host.sync : 'none' },
      );
      if (periodicSync !== null) for (const p of ack.firstOffsets.keys()) periodicSync.written(topic, p);
      this.settleAppended(topic, records, ack);
    } catch (err) {
      if (err instanceof RecordTooLargeError && records.length > 1) {
        // One record too large fails its whole group before anything is written: retry one by one, in order.
        for (const record of records) await this.append(topic, [record]);
        return;
      }
      this.refuse(records.length, 'PUB refused: the store did not take the records', {
        topic,
        error: (err as Error).message,
      });
    }
  }

  private settleAppended(topic: string, records: Buffer[], ack: AppendAck): void {
    this.appendedCount += records.length;
    this.host.counters.published += records.length;
    this.host.appended(topic, records, ack);
  }

  private refuse(n: number, message: string, fields: Record<string, unknown>): void {
    this.refusedCount += n;
    this.host.counters.publishRefused += n;
    this.host.logger.warn({ client: this.host.clientId(), records: n, ...fields }, message);
    this.answerBarriers();
  }

  /** A barrier is answered once no PUB that arrived before it is still gathered or being appended. */
  private answerBarriers(): void {
    const firstUnsettled = Math.min(this.inflightFirst, this.pendingFirst);
    while (this.barriers.length > 0 && this.barriers[0]!.at < firstUnsettled) {
      const { token } = this.barriers.shift()!;
      this.host.reply(`!ACK ${token} ${this.appendedCount} ${this.refusedCount}`);
    }
  }
}

function hex(n: number): string {
  return n.toString(16).padStart(8, '0');
}
