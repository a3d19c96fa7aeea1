import type { Socket } from 'node:net';
import { type LogRecord, OffsetOutOfRangeError, type PartitionReader, type TopicStore } from '@esc/streams';
import type { ClientOffsets } from './client-offsets.js';
import { FRAME_HEADER_BYTES } from './pls-frame.js';
import type { PlsLogger } from './pls-logger.js';
import type { PlsCounters } from './pls-stats.js';
import type { PartitionWatches } from './partition-watches.js';
import { ensureTopic } from './pls-topic.js';

/** What delivery needs of its connection and server. */
export interface DeliveryHost {
  readonly socket: Socket;
  readonly topics: TopicStore;
  readonly offsets: ClientOffsets;
  readonly watches: PartitionWatches;
  readonly logger: PlsLogger;
  readonly counters: PlsCounters;
  /** A log that cannot be read (damage): the connection is closed rather than skipping records. */
  fail(err: unknown): void;
}

interface PartitionCursor {
  partition: number;
  reader: PartitionReader;
  /** Bumped by SET: a delivery written before it must not commit its (older) offset after it. */
  generation: number;
}

interface Subscription {
  topic: string;
  /** `<topic> `, the prefix of every delivery frame of this topic. */
  prefix: Buffer;
  cursors: PartitionCursor[];
}

/** Bytes written in one turn of the event loop before yielding to the other connections. */
const TURN_BYTES = 1024 * 1024;

/**
 * Deliveries to one connection for one client id. Records are read from the log only when the socket can take
 * them (`writableNeedDrain` false): a slow consumer holds one read batch and the socket's buffer, never a queue,
 * and goes on from the log where it left off. A delivered batch's offset is committed once its frames have been
 * handed to the kernel (the write's callback), so delivery is at least once: a record whose frame was written but
 * whose commit did not land (server killed in between) is delivered again after a restart.
 */
export class PlsDelivery {
  private readonly subs = new Map<string, Subscription>();
  private pumping = false;
  private waitingDrain = false;
  private stopped = false;
  private wakeQueued = false;
  /**
   * Look again at the end of this turn: an append made here is announced twice (by the publisher, then by
   * inotify seeing the write), and each look ends with a read that finds nothing (a directory listing and a
   * chunk); both announcements of one append fall in the same turn and share one look.
   */
  private readonly wake = () => {
    if (this.wakeQueued) return;
    this.wakeQueued = true;
    setImmediate(() => {
      this.wakeQueued = false;
      this.pump();
    });
  };

  constructor(
    private readonly host: DeliveryHost,
    private readonly clientId: string,
  ) {}

  get subscribed(): number {
    return this.subs.size;
  }

  /** SUB: every partition from the client's offset, or from the earliest record when it has none. */
  subscribe(topic: string): void {
    if (this.stopped || this.subs.has(topic)) return;
    const { topics, offsets, watches } = this.host;
    const partitions = ensureTopic(topics, topic);
    const sub: Subscription = { topic, prefix: Buffer.from(`${topic} `, 'latin1'), cursors: [] };
    for (let p = 0; p < partitions; p++) {
      watches.acquire(topic, p, topics.partitionDir(topic, p));
      sub.cursors.push({
        partition: p,
        reader: this.openReader(topic, p, offsets.get(this.clientId, topic, p)),
        generation: 0,
      });
    }
    this.subs.set(topic, sub);
    this.pump();
  }

  /** SET on a subscribed topic: read from the new offsets (already committed by the caller). */
  reposition(topic: string, offsets: readonly number[]): void {
    const sub = this.subs.get(topic);
    if (sub === undefined) return;
    for (const cursor of sub.cursors) {
      cursor.reader.close();
      cursor.reader = this.openReader(topic, cursor.partition, offsets[cursor.partition] ?? null);
      cursor.generation++;
    }
    this.pump();
  }

  /** Stops delivering (the connection closed, or the client id logged in elsewhere). */
  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    for (const sub of this.subs.values())
      for (const cursor of sub.cursors) {
        cursor.reader.close();
        this.host.watches.release(sub.topic, cursor.partition, this.wake);
      }
    this.subs.clear();
    this.host.socket.off('drain', this.wake);
  }

  private openReader(topic: string, partition: number, from: number | null): PartitionReader {
    const { topics, logger } = this.host;
    if (from === null) return topics.reader(topic, partition, 'earliest');
    try {
      return topics.reader(topic, partition, from);
    } catch (err) {
      if (!(err instanceof OffsetOutOfRangeError)) throw err;
      // Retention deleted what the client wanted next, or the topic was made anew: Kafka's
      // auto.offset.reset=earliest (the original moved on past expired records too).
      logger.warn(
        { client: this.clientId, topic, partition, offset: from },
        'PLS offset out of range; from the earliest',
      );
      return topics.reader(topic, partition, 'earliest');
    }
  }

  private pump(): void {
    if (this.pumping || this.stopped) return;
    const socket = this.host.socket;
    if (socket.destroyed) return;
    this.pumping = true;
    let written = 0;
    try {
      for (;;) {
        if (socket.writableNeedDrain) {
          if (!this.waitingDrain) {
            this.waitingDrain = true;
            socket.once('drain', () => {
              this.waitingDrain = false;
              this.pump();
            });
          }
          return;
        }
        if (written >= TURN_BYTES) {
          this.wake();
          return;
        }
        let any = false;
        for (const sub of this.subs.values()) {
          for (const cursor of sub.cursors) {
            const records = this.poll(sub, cursor);
            if (records.length === 0) continue;
            any = true;
            written += this.write(sub, cursor, records);
            if (socket.writableNeedDrain) break;
          }
          if (socket.writableNeedDrain) break;
        }
        if (!any) {
          for (const sub of this.subs.values())
            for (const cursor of sub.cursors) this.host.watches.wait(sub.topic, cursor.partition, this.wake);
          return;
        }
      }
    } catch (err) {
      this.host.fail(err);
    } finally {
      this.pumping = false;
    }
  }

  private poll(sub: Subscription, cursor: PartitionCursor): LogRecord[] {
    try {
      return cursor.reader.poll();
    } catch (err) {
      if (!(err instanceof OffsetOutOfRangeError)) throw err;
      cursor.reader.close();
      cursor.reader = this.openReader(sub.topic, cursor.partition, cursor.reader.nextOffset);
      return cursor.reader.poll();
    }
  }

  /** One write per batch: `[len]<topic> <value>` per record; a null value (a tombstone) is an empty payload. */
  private write(sub: Subscription, cursor: PartitionCursor, records: LogRecord[]): number {
    const prefix = sub.prefix;
    let total = 0;
    for (const r of records) total += FRAME_HEADER_BYTES + prefix.length + (r.value?.length ?? 0);
    const out = Buffer.allocUnsafe(total);
    let pos = 0;
    for (const r of records) {
      const valueLength = r.value?.length ?? 0;
      out.writeUInt32BE(prefix.length + valueLength, pos);
      pos += FRAME_HEADER_BYTES;
      pos += prefix.copy(out, pos);
      if (r.value !== null) pos += r.value.copy(out, pos);
    }
    const next = cursor.reader.nextOffset;
    const generation = cursor.generation;
    this.host.counters.delivered += records.length;
    this.host.socket.write(out, (err) => {
      if (err || cursor.generation !== generation) return;
      this.host.offsets.set(this.clientId, sub.topic, cursor.partition, next);
    });
    return total;
  }
}
