import {
  RecordLookup,
  type PartitionReader,
  type SyncMode,
  type TopicStore,
  TopicExistsError,
  OffsetOutOfRangeError,
  PeriodicSync,
} from '@esc/streams';
import { decodeEvent, decodeEventText, encodeEvent, type LogEvent, type NewLogEvent } from './log-event.js';
import { RecentEvents } from './recent-events.js';

/**
 * The events' durable home: partition 0 of one topic of the server's TopicStore. An append resolves once the
 * sync mode's promise holds (the group commit of @esc/streams), and only then is an event acknowledged,
 * indexed and handed to listeners. Events are read back by offset; the newest are also kept decoded in a
 * small ring, where the live tail and most queries find them.
 */
export class EventLog {
  readonly recent: RecentEvents;
  private lookup: RecordLookup | null = null;
  /** What appends ask the store for: `batch` is 'none' plus the once-a-second fdatasync of `background`. */
  private readonly appendSync: SyncMode;
  private readonly background: PeriodicSync | null;

  constructor(
    readonly store: TopicStore,
    readonly topic: string,
    readonly sync: SyncMode,
    recentCapacity = 20_000,
  ) {
    try {
      store.createTopic(topic);
    } catch (err) {
      if (!(err instanceof TopicExistsError)) throw err;
    }
    this.recent = new RecentEvents(recentCapacity);
    this.appendSync = sync === 'batch' ? 'none' : sync;
    this.background = sync === 'batch' ? new PeriodicSync(store.dir) : null;
  }

  /**
   * Appends events in order; resolves with them, offsets assigned and put in the ring of recent events, once
   * durable per the sync mode. A record's key is the event id, its timestamp the time received, its value the
   * JSON the client sent (`sources[i]`, kept byte for byte: nothing is serialised again on the hot path) or, for
   * events the server built, the same shape encoded.
   */
  async append(events: readonly NewLogEvent[], sources?: readonly (string | null)[]): Promise<LogEvent[]> {
    const n = events.length;
    if (n === 0) return [];
    const keys: string[] = new Array(n);
    const values: string[] = new Array(n);
    const receivedAt = events[0]!.receivedAt;
    let sameTime = true;
    for (let i = 0; i < n; i++) {
      const e = events[i]!;
      keys[i] = e.id;
      values[i] = sources?.[i] ?? encodeEvent(e);
      if (e.receivedAt !== receivedAt) sameTime = false;
    }
    // As columns, not a record object per event (nor a position object per record back); the events of a group
    // usually share their time received, given once.
    const timing = sameTime ? { timestamp: receivedAt } : { timestamps: events.map((e) => e.receivedAt) };
    // The ingest pipeline gathered these over the previous append (a whole group of requests): write at once.
    const ack = await this.store.produce(
      this.topic,
      { keys, values, partition: 0, ...timing },
      { sync: this.appendSync, grouped: true },
    );
    this.background?.written(this.topic);
    const first = ack.firstOffsets.get(0)!;
    const out = events as LogEvent[];
    for (let i = 0; i < n; i++) {
      const e = out[i]!;
      e.offset = first + i;
      this.recent.put(e.offset, e.id, values[i]!, e.receivedAt);
    }
    return out;
  }

  /** The log start offset and the next offset. */
  bounds(): { earliest: number; next: number } {
    return this.store.bounds(this.topic, 0);
  }

  /**
   * The events at these offsets, in the order given, leaving out offsets retention has deleted and records
   * that are not events: from the ring when recent, else read by offset from the topic.
   */
  read(offsets: readonly number[]): LogEvent[] {
    const out: (LogEvent | null)[] = new Array(offsets.length);
    const missing: number[] = [];
    for (let i = 0; i < offsets.length; i++) {
      const cached = this.recent.get(offsets[i]!);
      out[i] = cached ?? null;
      if (cached === undefined) missing.push(offsets[i]!);
    }
    if (missing.length > 0) {
      this.lookup ??= new RecordLookup(this.store.partitionDir(this.topic, 0));
      const found = new Map<number, LogEvent>();
      for (const r of this.lookup.get(missing)) {
        const e = decodeEvent(r.offset, r.key, r.value, r.timestamp);
        if (e !== null) found.set(r.offset, e);
      }
      for (let i = 0; i < offsets.length; i++) out[i] ??= found.get(offsets[i]!) ?? null;
    }
    return out.filter((e): e is LogEvent => e !== null);
  }

  /** Syncs what `--sync batch` has not synced yet and lets go of the open segment files. */
  async close(): Promise<void> {
    await this.background?.syncNow();
    this.lookup?.close();
    this.lookup = null;
  }

  /**
   * Every event from `from` to the end of the log as it is now, in order, each also put in the ring of recent
   * events (index rebuild at start-up).
   */
  scan(from: number, onEvent: (e: LogEvent) => void, onOther?: (offset: number) => void): number {
    const reader = this.openReader(from);
    if (reader === null) return from;
    try {
      for (let batch = reader.poll(); batch.length > 0; batch = reader.poll())
        for (const r of batch) {
          const value = r.value?.toString('utf8');
          const e = value === undefined ? null : decodeEventText(r.offset, r.key?.toString('utf8'), value, r.timestamp);
          if (e === null) {
            onOther?.(r.offset);
            continue;
          }
          this.recent.put(e.offset, e.id, value!, e.receivedAt);
          onEvent(e);
        }
      return reader.nextOffset;
    } finally {
      reader.close();
    }
  }

  private openReader(offset: number): PartitionReader | null {
    try {
      return this.store.reader(this.topic, 0, offset);
    } catch (err) {
      if (!(err instanceof OffsetOutOfRangeError)) throw err;
      // Below the log start (retention deleted it) or past the end: nothing to read there.
      const { earliest, next } = this.bounds();
      if (offset < earliest && earliest < next) return this.store.reader(this.topic, 0, earliest);
      return null;
    }
  }
}
