import { TopicExistsError } from './stream-errors.js';
import type { TopicStore } from './topic-store.js';
import type { SyncMode } from './topic-writer.js';

/** One change to a keyed state table: a value, or null to delete the key (a tombstone). */
export interface StateChange {
  key: string;
  value: Buffer | string | null;
}

/**
 * A keyed table kept in an internal compacted topic, as `__consumer_offsets` keeps committed offsets: every change
 * is a record (key -> value, null deletes), the latest record of a key wins, and the log cleaner drops the
 * records a later one replaced, so the topic stays about as large as the live table. Each batch carries its
 * CRC-32C, and a torn tail is cut on the next write, so a change is either whole or absent after a crash.
 * `load` reads it all once (at start); `write` appends changes as one append (one group commit).
 */
export class StateTopic {
  private created = false;

  constructor(
    private readonly store: TopicStore,
    readonly topic: string,
    /** Segment size: small, so the cleaner can drop replaced records soon (it never touches the active one). */
    private readonly segmentBytes = 4 * 1024 * 1024,
  ) {}

  /** The table as the topic holds it now: the latest value of every key not deleted since. */
  async load(): Promise<Map<string, Buffer>> {
    const table = new Map<string, Buffer>();
    if (!this.store.listTopics({ internal: true }).includes(this.topic)) return table;
    this.created = true;
    const reader = this.store.reader(this.topic, 0, 'earliest');
    try {
      for (let batch = reader.poll(); batch.length > 0; batch = reader.poll())
        for (const r of batch) {
          if (r.key === null) continue;
          const key = r.key.toString('utf8');
          if (r.value === null) table.delete(key);
          else table.set(key, r.value);
        }
    } finally {
      reader.close();
    }
    return table;
  }

  /** Appends the changes in order; resolves when the sync mode's promise holds. */
  async write(changes: readonly StateChange[], sync: SyncMode): Promise<void> {
    if (changes.length === 0) return;
    this.ensureTopic();
    await this.store.append(
      this.topic,
      changes.map((c) => ({ key: c.key, value: c.value, partition: 0 })),
      { sync, create: false },
    );
  }

  private ensureTopic(): void {
    if (this.created) return;
    try {
      this.store.createTopic(this.topic, {
        cleanupPolicy: 'compact',
        segmentBytes: this.segmentBytes,
        retentionMs: -1,
      });
    } catch (err) {
      if (!(err instanceof TopicExistsError)) throw err;
    }
    this.created = true;
  }
}
