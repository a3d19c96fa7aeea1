import type { AppendAck } from '@esc/streams';
import { FRAME_HEADER_BYTES } from './pls-frame.js';

/** The delivery frames of one append to one partition: offsets first … first + count - 1. */
export interface FramesChunk {
  readonly first: number;
  readonly count: number;
  /** `[len]<topic> <payload>` per record, built once and written as it is to every subscriber. */
  readonly frames: Buffer;
  /** Where record first + k begins in `frames`; starts[count] is frames.length. */
  readonly starts: Uint32Array;
  /** Frame bytes kept for the partition before this chunk (since it was first kept), for lags in bytes. */
  readonly bytesBefore: number;
}

interface Entry {
  key: string;
  chunk: FramesChunk;
}

/** Total bytes of frames kept, all partitions together. */
const DEFAULT_RECENT_BYTES = 32 * 1024 * 1024;

/**
 * The delivery frames of the records this server appended last, per partition, so that subscribers at the end
 * of the log (the usual case: Kafka's consumers keep up because their fetch is cheap) get them from memory:
 * one frame buffer built per append and written to every subscriber, instead of each subscriber reading the
 * batch back from the segment file, checking its CRC, decoding a record object per record and framing it anew.
 * What is not here (older than the byte budget, appended by another process or front-end) is read from the log.
 * Chunks are kept only for topics someone follows, oldest dropped first.
 */
export class RecentFrames {
  private readonly byPartition = new Map<string, FramesChunk[]>();
  /** Chunks in the order they were added, for dropping the oldest: fifo[fifoHead…]. */
  private fifo: Entry[] = [];
  private fifoHead = 0;
  private bytes = 0;
  /** Per partition, the frame bytes ever kept (the position after its newest chunk). */
  private readonly ends = new Map<string, number>();
  /** `<topic> `, the start of every delivery frame's body, per topic kept. */
  private readonly prefixes = new Map<string, Buffer>();

  constructor(private readonly maxBytes: number = DEFAULT_RECENT_BYTES) {}

  /** One append of these payloads to the topic settled with this ack (where each record went). */
  appended(topic: string, payloads: readonly Buffer[], ack: AppendAck): void {
    if (typeof ack.partitions === 'number') {
      this.add(topic, ack.partitions, ack.firstOffsets.get(ack.partitions)!, payloads);
      return;
    }
    const each = ack.partitions;
    for (const [partition, first] of ack.firstOffsets)
      this.add(
        topic,
        partition,
        first,
        payloads.filter((_, i) => each[i] === partition),
      );
  }

  /** Records `first`… of the partition were appended with these payloads. */
  add(topic: string, partition: number, first: number, payloads: readonly Buffer[]): void {
    const count = payloads.length;
    if (count === 0) return;
    let prefix = this.prefixes.get(topic);
    if (prefix === undefined) this.prefixes.set(topic, (prefix = Buffer.from(`${topic} `, 'latin1')));
    let size = 0;
    for (const p of payloads) size += FRAME_HEADER_BYTES + prefix.length + p.length;
    if (size > this.maxBytes) return;
    const key = partitionKey(topic, partition);
    let chunks = this.byPartition.get(key);
    if (chunks === undefined) this.byPartition.set(key, (chunks = []));
    const last = chunks.at(-1);
    if (last !== undefined && first < last.first + last.count) {
      // Appends settle in offset order: an earlier offset means the log was made anew, what is kept is stale.
      this.dropPartition(key);
      this.byPartition.set(key, (chunks = []));
    }
    const frames = Buffer.allocUnsafe(size);
    const starts = new Uint32Array(count + 1);
    let pos = 0;
    for (let k = 0; k < count; k++) {
      const payload = payloads[k]!;
      starts[k] = pos;
      frames.writeUInt32BE(prefix.length + payload.length, pos);
      pos += FRAME_HEADER_BYTES;
      // TypedArray.set: Buffer.copy's argument checks cost more than the copy of a 1 KiB payload.
      frames.set(prefix, pos);
      pos += prefix.length;
      frames.set(payload, pos);
      pos += payload.length;
    }
    starts[count] = pos;
    const bytesBefore = this.ends.get(key) ?? 0;
    this.ends.set(key, bytesBefore + size);
    const chunk: FramesChunk = { first, count, frames, starts, bytesBefore };
    chunks.push(chunk);
    this.fifo.push({ key, chunk });
    this.bytes += size;
    while (this.bytes > this.maxBytes && this.dropOldest());
  }

  /** The kept chunk holding `offset` of the partition, if any. */
  find(topic: string, partition: number, offset: number): FramesChunk | undefined {
    const chunks = this.byPartition.get(partitionKey(topic, partition));
    if (chunks === undefined) return undefined;
    // The last chunk starting at or before the offset (chunks are in offset order; thousands when small).
    let lo = 0;
    let hi = chunks.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (chunks[mid]!.first <= offset) lo = mid + 1;
      else hi = mid;
    }
    const c = chunks[lo - 1];
    return c !== undefined && offset < c.first + c.count ? c : undefined;
  }

  /**
   * Frame bytes kept from `offset` to the newest record of the partition: how far a subscriber at `offset` is
   * behind; 0 when the offset is not kept (at the end, or older: read from the log).
   */
  bytesAfter(topic: string, partition: number, offset: number): number {
    const c = this.find(topic, partition, offset);
    if (c === undefined) return 0;
    return this.ends.get(partitionKey(topic, partition))! - c.bytesBefore - c.starts[offset - c.first]!;
  }

  /** The offset after the newest kept record of the partition, or undefined when none is kept. */
  end(topic: string, partition: number): number | undefined {
    const last = this.byPartition.get(partitionKey(topic, partition))?.at(-1);
    return last === undefined ? undefined : last.first + last.count;
  }

  /** Forgets a topic (nobody follows it any more). */
  forget(topic: string, partitions: number): void {
    for (let p = 0; p < partitions; p++) this.dropPartition(partitionKey(topic, p));
    this.prefixes.delete(topic);
  }

  /** Bytes of frames kept now. */
  get size(): number {
    return this.bytes;
  }

  private dropPartition(key: string): void {
    const chunks = this.byPartition.get(key);
    this.ends.delete(key);
    if (chunks === undefined) return;
    this.byPartition.delete(key);
    // Their fifo entries stay until they come up (and are skipped then); their bytes go now.
    for (const c of chunks) this.bytes -= c.frames.length;
  }

  /** False when there is nothing left to drop. */
  private dropOldest(): boolean {
    const entry = this.fifo[this.fifoHead];
    if (entry === undefined) return false;
    this.fifo[this.fifoHead++] = undefined as unknown as Entry;
    if (this.fifoHead > 1024 && this.fifoHead * 2 > this.fifo.length) {
      this.fifo = this.fifo.slice(this.fifoHead);
      this.fifoHead = 0;
    }
    const chunks = this.byPartition.get(entry.key);
    const i = chunks?.indexOf(entry.chunk) ?? -1;
    if (i < 0) return true;
    chunks!.splice(i, 1);
    this.bytes -= entry.chunk.frames.length;
    if (chunks!.length === 0) this.byPartition.delete(entry.key);
    return true;
  }
}

function partitionKey(topic: string, partition: number): string {
  return `${topic}\u0000${partition}`;
}
