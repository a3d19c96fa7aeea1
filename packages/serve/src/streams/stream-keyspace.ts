import { existsSync } from 'node:fs';
import { join } from 'node:path';
import {
  type StateChange,
  StateTopic,
  type SyncMode,
  deleteSegmentsBelow,
  PeriodicSync,
  type TopicStore,
} from '@esc/streams';
import type { KeyspaceView } from '../command-spec.js';
import { ByteSlab } from './byte-slab.js';
import { derivedId, encodeFields, type Fields, ID_HEADER, recordId } from './entry-codec.js';
import { parseId, type StreamId } from './stream-id.js';
import { keyForTopic, topicForKey } from './stream-key.js';
import { StreamLog, type UnwrittenRun } from './stream-log.js';
import {
  deletedKey,
  factsByTopic,
  groupTombstones,
  metaChange,
  metaKey,
  restoreGroups,
  restoreLogState,
  STATE_TOPIC,
  type TopicFacts,
} from './stream-state.js';

export interface StreamKeyspaceOptions {
  store: TopicStore;
  sync: SyncMode;
  clock: () => number;
  /** Every type's keys (the server's list, this one's included): a stream command on another type's key is WRONGTYPE. */
  keyspaces: () => readonly KeyspaceView[];
}

/**
 * The entries one stream got during one turn of the event loop (consecutive offsets from `first`: only XADD
 * takes offsets, each right before its append), and the promise their replies wait for.
 */
class AppendBatch implements UnwrittenRun {
  /** Columns of the records (TopicStore.produce): the fields' JSON, the ID's text, the timestamp. */
  readonly values: Buffer[] = [];
  readonly ids: Buffer[] = [];
  readonly timestamps: number[] = [];
  readonly fields: Fields[] = [];
  resolve!: () => void;
  reject!: (err: unknown) => void;
  readonly done: Promise<void>;

  constructor(
    readonly stream: StreamLog,
    readonly first: number,
  ) {
    this.done = new Promise<void>((resolve, reject) => {
      this.resolve = resolve;
      this.reject = reject;
    });
    // Every XADD's connection sees a failure; an append nobody waits on any more must not become unhandled.
    this.done.catch(() => undefined);
  }
}

/** Something a blocked XREAD/XREADGROUP waits with: called after each write to one of its streams. */
export type StreamWaiter = () => void;

/**
 * Every stream key of the server: a one-partition topic each (stream-key.ts names them), loaded into a StreamLog
 * on first use, plus the state topic holding what the logs do not (stream-state.ts). Also the blocked readers
 * of each stream, woken by writes.
 */
export class StreamKeyspace {
  readonly store: TopicStore;
  readonly sync: SyncMode;
  readonly clock: () => number;
  /** Topic -> its stream once loaded (null: exists, not loaded yet). */
  private readonly streams = new Map<string, StreamLog | null>();
  private facts = new Map<string, TopicFacts>();
  private readonly state: StateTopic;
  private readonly waiters = new Map<string, Set<StreamWaiter>>();
  /** Segment deletions waiting after trims, per topic, with the log start they may go up to. */
  private readonly reclaims = new Map<string, { stream: StreamLog; start: number }>();
  /** Entries waiting for the end of the current turn of the event loop, per stream (see append). */
  private readonly batches = new Map<StreamLog, AppendBatch>();
  /** The stream of the key looked up last, so a run of commands on one key skips the key's escaping. */
  private recent: StreamLog | null = null;
  /** Where the turn's entries are encoded (their IDs, their fields' JSON): views, no string per entry. */
  readonly bytes = new ByteSlab();
  /** Appends in flight, so close() can wait for them. */
  private readonly inflight = new Set<Promise<unknown>>();
  stats = { entriesAdded: 0, blockedClients: 0 };
  /**
   * What appends ask the store for: `batch` becomes 'none' plus this keyspace's own fdatasync of the topics
   * written, once a second (Redis's appendfsync everysec). The store's 'batch' starts an fdatasync per group
   * commit: at 50 clients that is thousands a second, and XADD ran at half the rate of 'none'.
   */
  private readonly appendSync: SyncMode;
  private readonly periodicSync: PeriodicSync;
  private readonly keyspaces: () => readonly KeyspaceView[];
  private readonly ownView: KeyspaceView;

  constructor(options: StreamKeyspaceOptions) {
    this.store = options.store;
    this.sync = options.sync;
    this.clock = options.clock;
    this.state = new StateTopic(this.store, STATE_TOPIC);
    this.keyspaces = options.keyspaces;
    this.appendSync = options.sync === 'batch' ? 'none' : options.sync;
    this.periodicSync = new PeriodicSync(this.store.dir);
    this.ownView = this.makeView();
  }

  /** Reads the state topic and lists the stream topics (their entries are read on first use). */
  async open(): Promise<void> {
    this.facts = factsByTopic(await this.state.load());
    for (const topic of this.store.listTopics({ internal: true })) {
      if (topic === STATE_TOPIC || keyForTopic(topic) === null) continue;
      if (this.isStreamTopic(topic)) this.streams.set(topic, null);
    }
  }

  /** The stream at `key`, null when there is none, or 'wrongtype' when the key holds another type. */
  lookup(key: Buffer): StreamLog | null | 'wrongtype' {
    // A key is never of two types (SET deletes the stream it overwrites): a stream found needs no look at the
    // other types' keys (the kv store's costs a string of the key and a catch-up with other processes).
    const stream = this.get(key);
    if (stream !== null) return stream;
    for (const other of this.keyspaces()) if (other !== this.ownView && other.has(key)) return 'wrongtype';
    // A topic of several partitions under the key's name is no stream, and must not become one.
    return this.topicExists(key) ? 'wrongtype' : null;
  }

  private topicExists(key: Buffer): boolean {
    const topic = topicForKey(key);
    return topic !== null && existsSync(join(this.store.dir, topic, 'topic.json'));
  }

  topicFor(key: Buffer): string | null {
    return topicForKey(key);
  }

  deletedKey(stream: StreamLog, offset: number): string {
    return deletedKey(stream.topic, offset);
  }

  /** The state changes a trim or XDEL leaves: the stream's log start and high mark, moot XDEL marks. */
  trimChanges(stream: StreamLog): StateChange[] {
    const changes: StateChange[] = [metaChange(stream)];
    for (const d of stream.forgottenDeletes.splice(0)) changes.push({ key: deletedKey(stream.topic, d), value: null });
    return changes;
  }

  /**
   * Persists a trim, then (a second later at most once per stream) deletes the segments wholly below the log
   * start it persisted: the space comes back, as Kafka's DeleteRecords gives it back. Never before the new log
   * start is written, so a restart never finds entries gone that the state still counts.
   */
  persistTrim(stream: StreamLog): Promise<void> {
    const start = stream.start;
    const done = this.persist(this.trimChanges(stream));
    void done.then(
      () => this.scheduleReclaim(stream, start),
      () => undefined,
    );
    return done;
  }

  private scheduleReclaim(stream: StreamLog, start: number): void {
    const topic = stream.topic;
    const pending = this.reclaims.get(topic);
    if (pending !== undefined && pending.stream === stream) {
      pending.start = Math.max(pending.start, start);
      return;
    }
    const entry = { stream, start };
    this.reclaims.set(topic, entry);
    setTimeout(() => {
      if (this.reclaims.get(topic) === entry) this.reclaims.delete(topic);
      // Only the stream that was trimmed: not one made again under the same key since (DEL, then XADD).
      if (this.streams.get(topic) !== stream) return;
      try {
        deleteSegmentsBelow(join(this.store.dir, topic, '0'), entry.start);
      } catch {
        /* the next trim tries again */
      }
    }, 1000).unref();
  }

  /** The stream at `key`, or null when there is none (a topic made meanwhile by `esc produce` is found too). */
  get(key: Buffer): StreamLog | null {
    const recent = this.recent;
    if (recent !== null && sameBytes(recent.key, key) && this.streams.get(recent.topic) === recent) return recent;
    const topic = topicForKey(key);
    if (topic === null) return null;
    const known = this.streams.get(topic);
    let stream: StreamLog | null;
    if (known !== undefined) stream = known ?? this.load(key, topic);
    else if (!existsSync(join(this.store.dir, topic, 'topic.json')) || !this.isStreamTopic(topic)) return null;
    else stream = this.load(key, topic);
    this.recent = stream;
    return stream;
  }

  /** Makes an empty stream (XADD, XGROUP CREATE MKSTREAM); the caller checked `get` first. */
  create(key: Buffer): StreamLog {
    const topic = topicForKey(key);
    if (topic === null) throw new Error('stream key too long');
    // Never rolled by age: a record's timestamp is its ID's ms, and explicit IDs (`1-0`) are decades old, which
    // with a finite segmentMs (2^40 ms before) rolled a new segment on every write.
    if (!existsSync(join(this.store.dir, topic, 'topic.json')))
      this.store.createTopic(topic, { retentionMs: -1, segmentMs: Number.MAX_SAFE_INTEGER });
    // A copy: the argument is a view into the connection's input buffer.
    const stream = new StreamLog(Buffer.from(key), topic);
    this.streams.set(topic, stream);
    return stream;
  }

  /**
   * Appends an entry whose ID and offset the stream has already taken (so later commands see it at once);
   * resolves when it is written (and synced, as --sync says). The entries a stream gets during one turn of the
   * event loop (every client read in it, pipelined or not) go to the store as one append at the end of the turn,
   * as Redis writes (and under `appendfsync always` fsyncs) its AOF once per event loop before replying: one
   * write, one promise and one record batch per turn instead of per entry.
   */
  append(stream: StreamLog, offset: number, id: Buffer, timestamp: number, fields: Fields): Promise<void> {
    this.stats.entriesAdded++;
    let batch = this.batches.get(stream);
    if (batch === undefined || offset !== batch.first + batch.fields.length) {
      if (batch !== undefined) this.flushBatch(batch);
      batch = new AppendBatch(stream, offset);
      stream.unwritten.push(batch);
      this.batches.set(stream, batch);
      if (this.batches.size === 1) setImmediate(this.flushBatches);
    }
    batch.fields.push(fields);
    batch.values.push(encodeFields(fields, this.bytes));
    batch.ids.push(id);
    batch.timestamps.push(timestamp <= Number.MAX_SAFE_INTEGER ? timestamp : this.clock());
    return batch.done;
  }

  private readonly flushBatches = (): void => {
    for (const batch of this.batches.values()) this.flushBatch(batch);
    this.batches.clear();
  };

  private flushBatch(batch: AppendBatch): void {
    const stream = batch.stream;
    const settled = () => {
      stream.unwritten.splice(stream.unwritten.indexOf(batch), 1);
      this.inflight.delete(batch.done);
    };
    // One reaction per append: the replies wait on batch.done, close() on the same promise.
    this.store
      .produce(
        stream.topic,
        {
          values: batch.values,
          timestamps: batch.timestamps,
          header: { key: ID_HEADER, values: batch.ids },
          partition: 0,
        },
        { sync: this.appendSync, create: false, grouped: true },
      )
      .then(
        () => {
          settled();
          batch.resolve();
        },
        (err: unknown) => {
          settled();
          batch.reject(err);
        },
      );
    this.inflight.add(batch.done);
    this.written(stream.topic);
  }

  /** Schedules the once-a-second fdatasync of a topic just appended to (`--sync batch`). */
  private written(topic: string): void {
    if (this.sync === 'batch') this.periodicSync.written(topic);
  }

  /** Persists state changes (groups, PELs, trims, deletions) in order; resolves as --sync says. */
  persist(changes: readonly StateChange[]): Promise<void> {
    if (changes.length === 0) return Promise.resolve();
    const done = this.state.write(changes, this.appendSync).finally(() => this.inflight.delete(done));
    this.inflight.add(done);
    this.written(STATE_TOPIC);
    return done;
  }

  /** DEL/UNLINK/FLUSHDB: the topic and every fact about it. */
  async delete(key: Buffer): Promise<boolean> {
    const stream = this.get(key);
    if (stream === null) return false;
    this.streams.delete(stream.topic);
    const changes: StateChange[] = [{ key: metaKey(stream.topic), value: null }];
    for (const d of stream.deleted) changes.push({ key: deletedKey(stream.topic, d), value: null });
    for (const g of stream.groups.values()) changes.push(...groupTombstones(stream.topic, g));
    await this.persist(changes);
    await Promise.allSettled([...this.inflight]);
    await this.store.deleteTopic(stream.topic);
    this.wake(stream.topic);
    return true;
  }

  has(key: Buffer): boolean {
    const topic = topicForKey(key);
    return topic !== null && this.streams.has(topic);
  }

  *keys(): Iterable<Buffer> {
    for (const topic of this.streams.keys()) yield keyForTopic(topic)!;
  }

  get size(): number {
    return this.streams.size;
  }

  /** Registers a blocked reader on a stream key; returns the function that unregisters it. */
  block(key: Buffer, waiter: StreamWaiter): () => void {
    const topic = topicForKey(key) ?? '';
    let set = this.waiters.get(topic);
    if (set === undefined) this.waiters.set(topic, (set = new Set()));
    set.add(waiter);
    this.stats.blockedClients++;
    return () => {
      if (set.delete(waiter)) this.stats.blockedClients--;
      if (set.size === 0 && this.waiters.get(topic) === set) this.waiters.delete(topic);
    };
  }

  /** Lets the readers blocked on a stream look again (after XADD, or the stream's deletion). */
  wake(topic: string): void {
    const set = this.waiters.get(topic);
    if (set === undefined) return;
    for (const waiter of [...set]) waiter();
  }

  /** Waits for the appends in flight and, under `--sync batch`, syncs what they wrote. */
  async close(): Promise<void> {
    await Promise.allSettled([...this.inflight]);
    await this.periodicSync.syncNow();
  }

  get view(): KeyspaceView {
    return this.ownView;
  }

  private makeView(): KeyspaceView {
    return {
      typeName: 'stream',
      has: (key) => this.has(key),
      keys: () => this.keys(),
      size: () => this.size,
      delete: (key) => this.delete(key),
      clear: async () => {
        for (const key of [...this.keys()]) await this.delete(key);
      },
    };
  }

  private isStreamTopic(topic: string): boolean {
    try {
      return this.store.topicConfig(topic).partitions === 1;
    } catch {
      return false;
    }
  }

  /** Reads a stream's topic from its log start: the IDs (stored or derived), then its groups. */
  private load(key: Buffer, topic: string): StreamLog {
    const stream = new StreamLog(Buffer.from(key), topic);
    const facts = this.facts.get(topic) ?? [];
    this.facts.delete(topic);
    const { start, maxDeleted, deleted } = restoreLogState(facts);
    const bounds = this.store.bounds(topic, 0);
    const from = Math.max(start, bounds.earliest);
    // Offsets below the physical log start (segments deleted) still count for entries-added.
    stream.skipTo(from);
    const reader = this.store.reader(topic, 0, from);
    let previous: StreamId = { ms: 0n, seq: 0n };
    try {
      for (let batch = reader.poll(); batch.length > 0; batch = reader.poll())
        for (const record of batch) {
          while (stream.next < record.offset) stream.push(previous, false);
          const text = recordId(record);
          const id = (text === null ? null : parseId(text)?.id) ?? derivedId(previous, record.timestamp, record.offset);
          stream.push(id, !deleted.has(record.offset));
          previous = id;
        }
    } finally {
      reader.close();
    }
    stream.maxDeletedId = maxDeleted;
    stream.moveStart(start);
    stream.resetNodes();
    restoreGroups(stream, facts);
    this.streams.set(topic, stream);
    return stream;
  }
}

/** Buffer#equals, with a short key (most) compared by a loop rather than through a native call. */
function sameBytes(a: Buffer, b: Buffer): boolean {
  const n = a.length;
  if (n !== b.length) return false;
  if (n > 32) return a.equals(b);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return false;
  return true;
}
