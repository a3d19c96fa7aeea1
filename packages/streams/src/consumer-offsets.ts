import { PartitionReader } from './partition-reader.js';
import { TopicExistsError, UnknownTopicError } from './stream-errors.js';
import { topicPaths } from './topic.js';
import type { TopicConfigInput } from './topic-config.js';
import type { PartitionBounds } from './partition-reader.js';
import type { RecordPosition, SyncMode } from './topic-writer.js';

/** What the offsets need of a TopicStore (an interface here, so the store can own this without a cycle). */
export interface OffsetsStore {
  readonly dir: string;
  append(
    topic: string,
    records: { key: string; value: string; partition: number }[],
    options: { sync: SyncMode; create: boolean },
  ): Promise<RecordPosition[]>;
  createTopic(name: string, config: TopicConfigInput): unknown;
  listTopics(options: { internal: boolean }): string[];
  bounds(topic: string, partition: number): PartitionBounds;
}

/** Kafka's name for the internal topic of committed offsets. */
export const CONSUMER_OFFSETS_TOPIC = '__consumer_offsets';

/**
 * Committed consumer group offsets, kept as Kafka keeps them: records in the internal compacted topic
 * `__consumer_offsets`, keyed by [group, topic, partition] (JSON), valued {"offset": N}; the latest record of a
 * key wins, and compaction keeps the topic small. This process reads the topic incrementally, from where it
 * last stopped, so commits by other processes (or before a restart) are seen.
 */
export class ConsumerOffsets {
  private readonly offsets = new Map<string, number>();
  private reader: PartitionReader | null = null;
  /** The internal topic is known to exist: creating it is tried once, not at every commit. */
  private topicReady = false;

  constructor(
    private readonly store: OffsetsStore,
    private readonly onWarning: (message: string) => void,
  ) {}

  async commit(group: string, topic: string, partition: number, offset: number, sync: SyncMode): Promise<void> {
    this.ensureTopic();
    try {
      await this.store.append(
        CONSUMER_OFFSETS_TOPIC,
        [{ key: offsetKey(group, topic, partition), value: JSON.stringify({ offset }), partition: 0 }],
        { sync, create: false },
      );
    } catch (err) {
      // Deleted behind this process's back: the next commit makes it again.
      if (err instanceof UnknownTopicError) this.topicReady = false;
      throw err;
    }
    this.offsets.set(offsetKey(group, topic, partition), offset);
  }

  /** The group's committed offset (the next offset to consume), or null if it has none. */
  committed(group: string, topic: string, partition: number): number | null {
    this.catchUp();
    return this.offsets.get(offsetKey(group, topic, partition)) ?? null;
  }

  close(): void {
    this.reader?.close();
    this.reader = null;
  }

  private catchUp(): void {
    if (this.reader === null) {
      if (!this.store.listTopics({ internal: true }).includes(CONSUMER_OFFSETS_TOPIC)) return;
      this.reader = new PartitionReader(
        topicPaths(this.store.dir, CONSUMER_OFFSETS_TOPIC).partition(0),
        CONSUMER_OFFSETS_TOPIC,
        0,
        this.store.bounds(CONSUMER_OFFSETS_TOPIC, 0).earliest,
        this.onWarning,
      );
    }
    for (let records = this.reader.poll(); records.length > 0; records = this.reader.poll()) {
      for (const r of records) {
        if (r.key === null) continue;
        const key = r.key.toString();
        if (r.value === null) this.offsets.delete(key);
        else this.offsets.set(key, (JSON.parse(r.value.toString()) as { offset: number }).offset);
      }
    }
  }

  private ensureTopic(): void {
    // A create that finds the topic still writes and fsyncs its topic.json under a temporary name first: at every
    // commit it was most of a committing server's time (the PyLogStreams front-end commits per delivery batch).
    if (this.topicReady) return;
    try {
      // Kafka's settings for the topic: compacted, 100 MiB segments scaled down to one machine.
      this.store.createTopic(CONSUMER_OFFSETS_TOPIC, { cleanupPolicy: 'compact', segmentBytes: 16 * 1024 * 1024 });
    } catch (err) {
      if (!(err instanceof TopicExistsError)) throw err;
    }
    this.topicReady = true;
  }
}

function offsetKey(group: string, topic: string, partition: number): string {
  return JSON.stringify([group, topic, partition]);
}
