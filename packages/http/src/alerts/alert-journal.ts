import type { SyncMode, TopicStore } from '@esc/streams';
import type { AlertRecord } from './alert-history.js';

/**
 * The durable history: each notification is a record of the `alerts` topic (key: the rule, value: the JSON
 * record), so GET /alerts survives a restart and `esc consume alerts` can follow it. Appends never hold up the
 * engine; they run in order on a promise chain.
 */
export class AlertJournal {
  private tail: Promise<void> = Promise.resolve();

  constructor(
    private readonly store: TopicStore,
    readonly topic: string,
    private readonly sync: SyncMode,
    private readonly onFailure: (record: AlertRecord, err: unknown) => void,
  ) {}

  append(record: AlertRecord): void {
    this.tail = this.tail.then(() =>
      this.store.append(this.topic, [{ key: record.rule, value: JSON.stringify(record) }], { sync: this.sync }).then(
        () => undefined,
        (err: unknown) => this.onFailure(record, err),
      ),
    );
  }

  /** Waits for the appends made so far. */
  flushed(): Promise<void> {
    return this.tail;
  }

  /** The last `limit` records, oldest first (a missing topic is an empty history). */
  async readLast(limit: number): Promise<AlertRecord[]> {
    if (!this.store.listTopics().includes(this.topic)) return [];
    const { partitions } = this.store.describeTopic(this.topic);
    const records: AlertRecord[] = [];
    for (const { partition, earliest, next } of partitions) {
      const from = Math.max(earliest, next - limit);
      for (const r of await this.store.readAll(this.topic, partition, from)) {
        if (r.value === null) continue;
        try {
          records.push(JSON.parse(r.value.toString('utf8')) as AlertRecord);
        } catch {
          // Not one of ours (someone produced to the topic by hand): history skips it.
        }
      }
    }
    records.sort((a, b) => a.seq - b.seq);
    return records.slice(-limit);
  }
}
