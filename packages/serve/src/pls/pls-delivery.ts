import type { Socket } from 'node:net';
import { type LogRecord, OffsetOutOfRangeError, type PartitionReader, type TopicStore } from '@esc/streams';
import type { ClientOffsets } from './client-offsets.js';
import type { LagFollower, LagGate } from './lag-gate.js';
import { FRAME_HEADER_BYTES } from './pls-frame.js';
import type { PlsLogger } from './pls-logger.js';
import type { PlsCounters } from './pls-stats.js';
import type { PartitionWatches } from './partition-watches.js';
import { ensureTopic } from './pls-topic.js';
import type { RecentFrames } from './recent-frames.js';

/** What delivery needs of its connection and server. */
export interface DeliveryHost {
  readonly socket: Socket;
  readonly topics: TopicStore;
  readonly offsets: ClientOffsets;
  readonly watches: PartitionWatches;
  readonly recent: RecentFrames;
  /** Told of this subscriber's lag, so producers wait when it falls too far behind. */
  readonly gate: LagGate;
  readonly logger: PlsLogger;
  readonly counters: PlsCounters;
  /** A log that cannot be read (damage): the connection is closed rather than skipping records. */
  fail(err: unknown): void;
}

interface PartitionCursor {
  partition: number;
  /** The next offset to deliver. */
  offset: number;
  /** Reads what RecentFrames does not hold; behind `offset` after deliveries from memory (reopened then). */
  reader: PartitionReader;
  /** When the reader was last reopened at `offset` (performance.now()). */
  reopenedAt: number;
  /** Bumped by SET: a delivery written before it must not commit its (older) offset after it. */
  generation: number;
}

interface Subscription {
  topic: string;
  /** `<topic> `, the prefix of every delivery frame of this topic. */
  prefix: Buffer;
  cursors: PartitionCursor[];
  /** Frame bytes written from memory whose write has not completed (not yet taken by the kernel). */
  unflushed: number;
  follower: LagFollower;
}

/** Bytes written in one turn of the event loop before yielding to the other connections. */
const TURN_BYTES = 1024 * 1024;
/**
 * Least time between two looks at the log by a subscriber caught up with memory, which only records appended
 * elsewhere (another process, another front-end) can be ahead of: such a look reopens the partition's reader
 * (its bounds and offset index) and, done at every wake, cost more than the deliveries. Those records are
 * delivered within this time (Kafka's consumers wait up to fetch.max.wait.ms, 500 ms). A gap before newer
 * records in memory is read from the log at once.
 */
const LOOK_MS = 100;

/**
 * Deliveries to one connection for one client id. Records are taken only when the socket can take them
 * (`writableNeedDrain` false): from the frames this server built when it appended them (RecentFrames, shared by
 * every subscriber), else read from the log. A slow consumer holds one batch and the socket's buffer, never a
 * queue, and goes on from where it left off; the frames of one turn leave in one write (cork). A delivered
 * batch's offset is committed once its frames have been handed to the kernel (the write's callback), so delivery
 * is at least once: a record whose frame was written but whose commit did not land (server killed in between) is
 * delivered again after a restart.
 */
export class PlsDelivery {
  private readonly subs = new Map<string, Subscription>();
  private pumping = false;
  private waitingDrain = false;
  private stopped = false;
  private wakeQueued = false;
  private recheck: NodeJS.Timeout | null = null;
  /**
   * The partition changed: an append here (announced as it settles, so its frames go out before the reply to
   * the producer's barrier: deliveries do not wait behind appends) or a write seen by inotify. Looking finds
   * the records in memory, or nothing at once (the log is looked at again LOOK_MS later at most).
   */
  private readonly changed = () => this.pump();
  /** Look again next turn, after the other connections had theirs. */
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
    const sub: Subscription = {
      topic,
      prefix: Buffer.from(`${topic} `, 'latin1'),
      cursors: [],
      unflushed: 0,
      follower: { lag: () => this.lag(sub) },
    };
    for (let p = 0; p < partitions; p++) {
      watches.acquire(topic, p, topics.partitionDir(topic, p));
      const reader = this.openReader(topic, p, offsets.get(this.clientId, topic, p));
      sub.cursors.push({
        partition: p,
        offset: reader.nextOffset,
        reader,
        reopenedAt: performance.now(),
        generation: 0,
      });
    }
    this.subs.set(topic, sub);
    this.host.gate.follow(topic, sub.follower);
    this.pump();
  }

  /** SET on a subscribed topic: read from the new offsets (already committed by the caller). */
  reposition(topic: string, offsets: readonly number[]): void {
    const sub = this.subs.get(topic);
    if (sub === undefined) return;
    for (const cursor of sub.cursors) {
      cursor.reader.close();
      cursor.reader = this.openReader(topic, cursor.partition, offsets[cursor.partition] ?? null);
      cursor.offset = cursor.reader.nextOffset;
      cursor.reopenedAt = performance.now();
      cursor.generation++;
    }
    this.pump();
    this.host.gate.progressed(topic, sub.follower);
  }

  /** Stops delivering (the connection closed, or the client id logged in elsewhere). */
  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    if (this.recheck !== null) clearTimeout(this.recheck);
    const { watches, recent, gate } = this.host;
    for (const sub of this.subs.values()) {
      gate.unfollow(sub.topic, sub.follower);
      for (const cursor of sub.cursors) {
        cursor.reader.close();
        watches.release(sub.topic, cursor.partition, this.changed);
      }
      if (!watches.follows(sub.topic)) recent.forget(sub.topic, sub.cursors.length);
    }
    this.subs.clear();
  }

  /** Frame bytes appended here that the socket has not taken yet; 0 for a subscriber reading history from the log. */
  private lag(sub: Subscription): number {
    let lag = sub.unflushed;
    for (const cursor of sub.cursors) lag += this.host.recent.bytesAfter(sub.topic, cursor.partition, cursor.offset);
    return lag;
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
    socket.cork();
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
            const bytes = this.deliver(sub, cursor);
            if (bytes === 0) continue;
            any = true;
            written += bytes;
            if (socket.writableNeedDrain) break;
          }
          if (socket.writableNeedDrain) break;
        }
        if (!any) {
          for (const sub of this.subs.values())
            for (const cursor of sub.cursors) this.host.watches.wait(sub.topic, cursor.partition, this.changed);
          return;
        }
      }
    } catch (err) {
      this.host.fail(err);
    } finally {
      this.pumping = false;
      socket.uncork();
    }
  }

  /** Writes what is next for the cursor, from memory or from the log; the bytes written, 0 if nothing. */
  private deliver(sub: Subscription, cursor: PartitionCursor): number {
    const chunk = this.host.recent.find(sub.topic, cursor.partition, cursor.offset);
    if (chunk !== undefined) {
      const k = cursor.offset - chunk.first;
      const frames = k === 0 ? chunk.frames : chunk.frames.subarray(chunk.starts[k]);
      cursor.offset = chunk.first + chunk.count;
      return this.write(sub, cursor, frames, chunk.count - k, true);
    }
    if (cursor.reader.nextOffset !== cursor.offset) {
      const end = this.host.recent.end(sub.topic, cursor.partition);
      const gap = end !== undefined && cursor.offset < end;
      const wait = gap ? 0 : cursor.reopenedAt + LOOK_MS - performance.now();
      if (wait > 0) {
        this.recheck ??= setTimeout(() => {
          this.recheck = null;
          this.pump();
        }, wait);
        return 0;
      }
      cursor.reader.close();
      cursor.reader = this.openReader(sub.topic, cursor.partition, cursor.offset);
      cursor.reopenedAt = performance.now();
    }
    const records = this.poll(sub, cursor);
    return records.length === 0 ? 0 : this.write(sub, cursor, frameRecords(sub.prefix, records), records.length, false);
  }

  private poll(sub: Subscription, cursor: PartitionCursor): LogRecord[] {
    let records: LogRecord[];
    try {
      records = cursor.reader.poll();
    } catch (err) {
      if (!(err instanceof OffsetOutOfRangeError)) throw err;
      cursor.reader.close();
      cursor.reader = this.openReader(sub.topic, cursor.partition, cursor.reader.nextOffset);
      records = cursor.reader.poll();
    }
    cursor.offset = cursor.reader.nextOffset;
    return records;
  }

  /**
   * One write per batch, up to `cursor.offset` (already advanced); that offset is committed once the kernel has
   * it. `live`: the frames came from memory (the subscriber is at the end of the log).
   */
  private write(sub: Subscription, cursor: PartitionCursor, frames: Buffer, count: number, live: boolean): number {
    const next = cursor.offset;
    const generation = cursor.generation;
    this.host.counters.delivered += count;
    // Only what came from memory counts as lag: a subscriber reading history never holds producers.
    const lag = live ? frames.length : 0;
    sub.unflushed += lag;
    this.host.socket.write(frames, (err) => {
      sub.unflushed -= lag;
      this.host.gate.progressed(sub.topic, sub.follower);
      if (err || cursor.generation !== generation) return;
      this.host.offsets.set(this.clientId, sub.topic, cursor.partition, next);
    });
    return frames.length;
  }
}

/** `[len]<topic> <value>` per record read from the log; a null value (a tombstone) is an empty payload. */
function frameRecords(prefix: Buffer, records: readonly LogRecord[]): Buffer {
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
  return out;
}
