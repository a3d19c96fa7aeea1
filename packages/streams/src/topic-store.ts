import { mkdirSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { FileAccessError, isErrno, writeFileAtomicSync } from '@esc/core';
import { ConsumerOffsets } from './consumer-offsets.js';
import type { RetentionResult } from './log-retention.js';
import { type PartitionVerifyReport, verifyPartition } from './log-verifier.js';
import { type CleanResult, readCleanerState } from './partition-cleaner.js';
import { partitionForKey } from './partitioner.js';
import type { EncodedBatch, HeaderInput } from './batch-builder.js';
import { MAX_BATCH_BYTES } from './partition-log.js';
import { offsetForTimestamp, type PartitionBounds, PartitionReader, readBounds } from './partition-reader.js';
import { BATCH_HEADER_SIZE, checkProducerBatch, type LogRecord } from './record-batch.js';
import { listSegments, segmentFiles } from './segment.js';
import {
  InvalidBatchError,
  InvalidConfigError,
  OffsetOutOfRangeError,
  RecordTooLargeError,
  TopicExistsError,
  UnknownPartitionError,
  UnknownTopicError,
} from './stream-errors.js';
import { Topic, encodeTopicFile, readTopicConfig, topicPaths, writeTopicConfig } from './topic.js';
import { type TopicConfig, type TopicConfigInput, topicConfigSchema } from './topic-config.js';
import { isInternalTopic, validateTopicName } from './topic-name.js';
import { type AppendAck, DEFAULT_LEASE_MS, positionsOf, type RecordPosition, type SyncMode } from './topic-writer.js';

export interface StreamsOptions {
  /** The clock in Unix milliseconds (record timestamps, retention); inject one in tests. */
  clock?: () => number;
  /** Where warnings go (a torn tail cut, an index rebuilt); default: process.emitWarning. */
  onWarning?: (message: string) => void;
  /** A write lock left by a crashed process is taken over after this long (default 10 s; floor 2 s). */
  lockStaleMs?: number;
  /** Give up (TopicLockedError) after waiting this long for a topic's lock (default 30 s). */
  lockWaitMs?: number;
  /** How often a writing process applies retention by itself after an append (default 60 s; Infinity: never). */
  maintenanceIntervalMs?: number;
  /**
   * How long a writing process keeps a topic's lock across back-to-back appends before letting other processes
   * in (default 20 ms, for a CLI producer). A long-lived writer that owns its topics (`esc serve`) keeps it
   * longer: each round trip costs mkdir, rmdir and proper-lockfile's timers. Other writers wait at most this
   * long (plus 25 ms in which the lock is left free for them).
   */
  lockLeaseMs?: number;
}

/** A record to produce. Strings are stored as UTF-8. */
export interface ProduceRecord {
  key?: Buffer | string | null;
  /** null: a tombstone (deletes the key under compaction). */
  value: Buffer | string | null;
  headers?: { key: string; value: Buffer | string | null }[];
  /** Milliseconds since the epoch; default: the clock. */
  timestamp?: number;
  /** Default: Kafka's partitioner (murmur2 of the key), or round robin for keyless records. */
  partition?: number;
}

/**
 * Records as columns for TopicStore.produce: no object per record. Strings are encoded as UTF-8 straight into
 * the batch.
 */
export interface ProduceColumns {
  /** null: a tombstone. */
  values: readonly (Buffer | string | null)[];
  /** The key of each record (default: none). */
  keys?: readonly (Buffer | string | null)[];
  /** Of every record (default: the clock). */
  timestamp?: number;
  /** Of every record (default: Kafka's partitioner, or round robin for keyless records). */
  partition?: number;
  /** The timestamp of each record (default: `timestamp`). */
  timestamps?: readonly number[];
  /** One header on every record: its key, and each record's value (a column, as `values`). */
  header?: { key: string; values: readonly (Buffer | string | null)[] };
}

/** Columns whose records share one timestamp and carry no headers: encoded in one loop (BatchBuilder.addColumns). */
interface UniformColumns {
  keys: readonly (Buffer | string | null)[] | undefined;
  values: readonly (Buffer | string | null)[];
  timestamp: number | undefined;
  partition: number | undefined;
}

export interface AppendOptions {
  /** Durability (default 'none'): see SyncMode. */
  sync?: SyncMode;
  /** Create a missing topic with the defaults, as Kafka's auto-create (default true). */
  create?: boolean;
  /**
   * The caller gathered these records over a whole turn of the event loop (a server's requests, as Redis
   * writes its AOF once per event loop), so the group commit starts at once instead of after the turn.
   */
  grouped?: boolean;
}

/** Where to start reading a partition. */
export type ReadFrom = number | 'earliest' | 'latest' | { timestamp: number };

export interface PartitionInfo extends PartitionBounds {
  partition: number;
  segments: number;
  bytes: number;
}

export interface PartitionStats extends PartitionInfo {
  topic: string;
  cleanupPolicy: TopicConfig['cleanupPolicy'];
  /** Offsets below this have been compacted. */
  cleanEnd: number;
  /** Bytes of closed segments not yet compacted. */
  dirtyBytes: number;
}

/**
 * `esc kv`'s default is per user in the XDG data directory; streams sit beside it:
 * `$ESC_STREAMS_DIR`, else `$XDG_DATA_HOME/esc/streams`, else `~/.local/share/esc/streams`.
 */
export function defaultStreamsDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.ESC_STREAMS_DIR) return env.ESC_STREAMS_DIR;
  const dataHome = env.XDG_DATA_HOME?.startsWith('/') ? env.XDG_DATA_HOME : join(homedir(), '.local', 'share');
  return join(dataHome, 'esc', 'streams');
}

/** Opens (creating it if needed) a directory of topics. */
export function openStreams(dir: string, options: StreamsOptions = {}): TopicStore {
  try {
    mkdirSync(dir, { recursive: true });
  } catch (err) {
    throw new FileAccessError(dir, err);
  }
  return new TopicStore(dir, options);
}

/**
 * A directory of topics opened in this process. Appends go through each topic's group commit under the
 * topic's inter-process lock; reads take no lock. Many processes may open one directory at once.
 */
export class TopicStore {
  private readonly topics = new Map<string, Topic>();
  private consumerOffsets: ConsumerOffsets | null = null;
  private readonly clock: () => number;
  private readonly onWarning: (message: string) => void;
  private readonly lock: { staleMs: number; waitMs: number };
  private readonly maintenanceIntervalMs: number;
  private readonly leaseMs: number;

  /** @internal use openStreams */
  constructor(
    readonly dir: string,
    options: StreamsOptions,
  ) {
    this.clock = options.clock ?? Date.now;
    this.onWarning = options.onWarning ?? ((m) => process.emitWarning(m, { code: 'ESC_STREAMS' }));
    this.maintenanceIntervalMs = options.maintenanceIntervalMs ?? 60_000;
    this.leaseMs = options.lockLeaseMs ?? DEFAULT_LEASE_MS;
    this.lock = { staleMs: Math.max(2000, options.lockStaleMs ?? 10_000), waitMs: options.lockWaitMs ?? 30_000 };
  }

  // ---- topics ----

  /** Creates a topic; TopicExistsError if it exists. Returns its full config. */
  createTopic(name: string, config: TopicConfigInput = {}): TopicConfig {
    validateTopicName(name);
    const full = parseConfig(config);
    const paths = topicPaths(this.dir, name);
    // Built under a temporary name and renamed into place: a topic appears whole or not at all, and of two
    // processes creating it at once exactly one succeeds.
    const tmp = join(this.dir, `.creating-${name}-${process.pid}-${Date.now().toString(36)}`);
    try {
      mkdirSync(tmp);
      for (let p = 0; p < full.partitions; p++) mkdirSync(join(tmp, String(p)));
      writeFileAtomicSync(join(tmp, 'topic.json'), encodeTopicFile(full));
      renameSync(tmp, paths.dir);
    } catch (err) {
      rmSync(tmp, { recursive: true, force: true });
      if (isErrno(err, 'ENOTEMPTY') || isErrno(err, 'EEXIST')) throw new TopicExistsError(name);
      throw new FileAccessError(paths.dir, err);
    }
    return full;
  }

  /** Topic names, sorted; internal topics (`__consumer_offsets`) only when asked. */
  listTopics(options: { internal?: boolean } = {}): string[] {
    let names: string[];
    try {
      names = readdirSync(this.dir);
    } catch (err) {
      throw new FileAccessError(this.dir, err);
    }
    return names
      .filter((n) => !n.startsWith('.') && (options.internal || !isInternalTopic(n)))
      .filter((n) => {
        try {
          return statSync(topicPaths(this.dir, n).config).isFile();
        } catch {
          return false;
        }
      })
      .sort();
  }

  topicConfig(name: string): TopicConfig {
    validateTopicName(name);
    return readTopicConfig(this.dir, name).config;
  }

  /** The config and, per partition, the log start offset, the next offset, segment count and bytes. */
  describeTopic(name: string): { name: string; config: TopicConfig; partitions: PartitionInfo[] } {
    const config = this.topicConfig(name);
    const partitions: PartitionInfo[] = [];
    for (let p = 0; p < config.partitions; p++) {
      const dir = topicPaths(this.dir, name).partition(p);
      const bases = listSegments(dir);
      let bytes = 0;
      for (const b of bases) {
        try {
          bytes += statSync(segmentFiles(dir, b).log).size;
        } catch {
          /* deleted meanwhile */
        }
      }
      partitions.push({ partition: p, ...readBounds(dir), segments: bases.length, bytes });
    }
    return { name, config, partitions };
  }

  /** Changes settings; partitions may grow but never shrink (as in Kafka). Returns the new config. */
  async alterTopic(name: string, changes: TopicConfigInput): Promise<TopicConfig> {
    const topic = this.topic(name);
    const release = await topic.lock();
    try {
      const current = readTopicConfig(this.dir, name).config;
      const next = parseConfig({ ...current, ...changes });
      if (next.partitions < current.partitions)
        throw new InvalidConfigError(
          `topic '${name}' has ${current.partitions} partitions; the number of partitions can only grow`,
        );
      for (let p = current.partitions; p < next.partitions; p++)
        mkdirSync(topicPaths(this.dir, name).partition(p), { recursive: true });
      writeTopicConfig(this.dir, name, next);
      topic.refreshConfig();
      return next;
    } finally {
      await release();
    }
  }

  /** Deletes a topic and its data: renamed aside first, so it disappears at once, then removed. */
  async deleteTopic(name: string): Promise<void> {
    this.topicConfig(name);
    const open = this.topics.get(name);
    if (open !== undefined) {
      await open.close();
      this.topics.delete(name);
    }
    const aside = join(this.dir, `.deleted-${name}-${process.pid}-${Date.now().toString(36)}`);
    try {
      renameSync(topicPaths(this.dir, name).dir, aside);
    } catch (err) {
      if (isErrno(err, 'ENOENT')) throw new UnknownTopicError(name);
      throw new FileAccessError(topicPaths(this.dir, name).dir, err);
    }
    rmSync(aside, { recursive: true, force: true });
  }

  // ---- writing ----

  /**
   * Appends records to a topic and resolves with each one's partition and offset once the sync mode's
   * promise holds. A record over the topic's maxMessageBytes fails the whole call before anything is written.
   */
  async append(
    topicName: string,
    records: readonly ProduceRecord[],
    options: AppendOptions = {},
  ): Promise<RecordPosition[]> {
    if (records.length === 0) {
      this.topicForWrite(topicName, options.create ?? true);
      return [];
    }
    const n = records.length;
    // Records of the common shape (no headers, timestamp or partition of their own) take the columns' loop:
    // no call per field, and the same bytes.
    const columns = plainColumns(records);
    if (columns !== null) return positionsOf(await this.produce(topicName, columns, options));
    return positionsOf(
      await this.encodeAndSubmit(
        topicName,
        n,
        (i) => records[i]!.key ?? null,
        (i) => records[i]!.value,
        (i) => records[i]!.headers,
        (i, now) => records[i]!.timestamp ?? now,
        (i) => records[i]!.partition,
        options,
      ),
    );
  }

  /**
   * Appends records given as columns (`values`, and `keys`), the lean way in: no object per record on the way
   * in or out. Resolves as append() does, with where the records went as an AppendAck.
   */
  async produce(topicName: string, columns: ProduceColumns, options: AppendOptions = {}): Promise<AppendAck> {
    const { values, keys, partition, timestamps, header } = columns;
    sameLength(keys, 'keys', values);
    sameLength(timestamps, 'timestamps', values);
    sameLength(header?.values, 'header values', values);
    const timestamp = columns.timestamp;
    // One header object, refilled per record: the builder reads it at once.
    const one: HeaderInput = { key: header?.key ?? '', value: null };
    const headers = [one];
    // Awaited here: returning the promise would cost two more microtask jobs per append.
    return await this.encodeAndSubmit(
      topicName,
      values.length,
      keys === undefined ? () => null : (i) => keys[i]!,
      (i) => values[i]!,
      header === undefined
        ? () => undefined
        : (i) => {
            one.value = header.values[i]!;
            return headers;
          },
      timestamps !== undefined ? (i) => timestamps[i]! : timestamp === undefined ? (_, now) => now : () => timestamp,
      () => partition,
      options,
      header === undefined && timestamps === undefined ? { keys, values, timestamp, partition } : undefined,
    );
  }

  /**
   * Appends one record batch the caller encoded (docs/formats/streams-segment.md; `encodeBatch` makes one),
   * as Kafka's broker takes the batches its clients encoded: the batch is checked (its CRC, whatever its
   * baseOffset, and its structure: offset deltas 0, 1, 2…, lengths within it), then written as it is with its
   * baseOffset and CRC patched under the lock. Its size counts against maxMessageBytes, as Kafka's batch limit.
   * Resolves with the offset of its first record.
   */
  async appendBatch(
    topicName: string,
    partition: number,
    batch: Buffer,
    options: AppendOptions = {},
  ): Promise<RecordPosition> {
    const topic = this.topicForWrite(topicName, options.create ?? true);
    const config = topic.config;
    if (!Number.isInteger(partition) || partition < 0 || partition >= config.partitions)
      throw new UnknownPartitionError(topicName, partition, config.partitions);
    const limit = Math.min(config.maxMessageBytes, MAX_BATCH_BYTES, config.segmentBytes);
    if (batch.length > limit) throw new RecordTooLargeError(topicName, batch.length, limit);
    const info = checkProducerBatch(batch);
    if (typeof info === 'string') throw new InvalidBatchError(topicName, info);
    const encoded: EncodedBatch = { partition, bytes: batch, ...info, owner: null };
    const ack = await topic.writer.submit(partition, [encoded], info.count, options.sync ?? 'none', options.grouped);
    topic.maintainIfDue();
    return { partition, offset: ack.firstOffsets.get(partition)! };
  }

  /**
   * Checks and encodes `n` records (read through the accessors, so that records and columns share one path)
   * into the topic's batch builder, partition by partition, then submits the batches to the group commit.
   */
  private async encodeAndSubmit(
    topicName: string,
    n: number,
    keyOf: (i: number) => Buffer | string | null,
    valueAt: (i: number) => Buffer | string | null,
    headersOf: (i: number) => readonly HeaderInput[] | undefined,
    timestampOf: (i: number, now: number) => number,
    partitionOf: (i: number) => number | undefined,
    options: AppendOptions,
    columns?: UniformColumns,
  ): Promise<AppendAck> {
    const topic = this.topicForWrite(topicName, options.create ?? true);
    const config = topic.config;
    const now = this.clock();
    if (!Number.isSafeInteger(now) || now < 0)
      throw new InvalidConfigError(`record timestamp ${now} is not a valid time in milliseconds`);
    // The partition of each record, or one number when they all go to the same one (no array to build).
    let partitions: number[] | number = -1;
    // Columns of one partition (given, or the topic has one): no call per record to find it.
    const one = columns?.partition ?? (config.partitions === 1 ? 0 : undefined);
    const uniform = columns !== undefined && one !== undefined && n > 0;
    if (uniform) {
      if (!Number.isInteger(one) || one < 0 || one >= config.partitions)
        throw new UnknownPartitionError(topicName, one, config.partitions);
      partitions = one;
    }
    for (let i = 0; i < (uniform ? 0 : n); i++) {
      let p = partitionOf(i);
      if (p !== undefined) {
        if (!Number.isInteger(p) || p < 0 || p >= config.partitions)
          throw new UnknownPartitionError(topicName, p, config.partitions);
      } else if (config.partitions === 1) p = 0;
      else {
        const key = keyOf(i);
        p =
          key !== null
            ? partitionForKey(typeof key === 'string' ? Buffer.from(key, 'utf8') : key, config.partitions)
            : topic.nextKeylessPartition();
      }
      if (partitions === -1) partitions = p;
      else if (typeof partitions === 'number' && partitions !== p) {
        const first: number = partitions;
        partitions = new Array<number>(n).fill(first, 0, i);
      }
      if (typeof partitions !== 'number') partitions[i] = p;
    }
    for (let i = 0; i < (columns === undefined ? n : Math.min(n, 1)); i++) {
      const t = timestampOf(i, now);
      if (t !== now && (!Number.isSafeInteger(t) || t < 0))
        throw new InvalidConfigError(`record timestamp ${t} is not a valid time in milliseconds`);
    }
    const builder = topic.builder;
    const limit = Math.min(MAX_BATCH_BYTES, config.segmentBytes);
    const max = config.maxMessageBytes - BATCH_HEADER_SIZE;
    const encode = (i: number) => {
      const size = builder.add(keyOf(i), valueAt(i), headersOf(i), timestampOf(i, now));
      if (size > max) {
        builder.discard();
        throw new RecordTooLargeError(topicName, size + BATCH_HEADER_SIZE, config.maxMessageBytes);
      }
    };
    if (typeof partitions === 'number' && columns !== undefined) {
      builder.begin(partitions, limit);
      const size = builder.addColumns(columns.keys, columns.values, columns.timestamp ?? now, max);
      if (size >= 0) {
        builder.discard();
        throw new RecordTooLargeError(topicName, size + BATCH_HEADER_SIZE, config.maxMessageBytes);
      }
    } else if (typeof partitions === 'number') {
      builder.begin(partitions, limit);
      for (let i = 0; i < n; i++) encode(i);
    } else {
      const each = partitions;
      for (const p of [...new Set(each)].sort((a, b) => a - b)) {
        builder.begin(p, limit);
        for (let i = 0; i < n; i++) if (each[i] === p) encode(i);
      }
    }
    const batches = builder.take();
    const ack = await topic.writer.submit(partitions, batches, n, options.sync ?? 'none', options.grouped);
    topic.maintainIfDue();
    return ack;
  }

  /**
   * Applies the topic's delete retention now (it also runs by itself after appends, once a minute per
   * process). Returns, per partition, the deleted segments and the new log start offset.
   */
  async applyRetention(topic: string): Promise<RetentionResult[]> {
    return this.topic(topic).applyRetention();
  }

  /**
   * Compacts a topic now (`esc topic compact`): every partition's dirty closed segments, whatever the dirty
   * ratio; a topic whose policy has no `compact` is left alone. It also runs by itself after appends when the
   * dirty ratio reaches minCleanableDirtyRatio.
   */
  async compact(topic: string): Promise<CleanResult[]> {
    return this.topic(topic).compact(true);
  }

  /** Checks every file of a topic (or of every topic, internal ones included); writes nothing. */
  verify(topic?: string): (PartitionVerifyReport & { topic: string; partition: number })[] {
    const names = topic === undefined ? this.listTopics({ internal: true }) : [topic];
    const reports: (PartitionVerifyReport & { topic: string; partition: number })[] = [];
    for (const name of names) {
      const config = this.topicConfig(name);
      for (let p = 0; p < config.partitions; p++)
        reports.push({ topic: name, partition: p, ...verifyPartition(topicPaths(this.dir, name).partition(p)) });
    }
    return reports;
  }

  /** Per partition: offsets, segments, bytes, and for compacted topics the clean point and dirty bytes. */
  stats(topic?: string): PartitionStats[] {
    const names = topic === undefined ? this.listTopics({ internal: true }) : [topic];
    const out: PartitionStats[] = [];
    for (const name of names) {
      const { config, partitions } = this.describeTopic(name);
      for (const info of partitions) {
        const dir = topicPaths(this.dir, name).partition(info.partition);
        const cleanEnd = readCleanerState(dir).cleanEnd;
        let dirtyBytes = 0;
        const bases = listSegments(dir);
        for (let i = 0; i < bases.length - 1; i++)
          if (bases[i + 1]! > cleanEnd) dirtyBytes += statSync(segmentFiles(dir, bases[i]!).log).size;
        out.push({ topic: name, cleanupPolicy: config.cleanupPolicy, ...info, cleanEnd, dirtyBytes });
      }
    }
    return out;
  }

  // ---- reading ----

  /** The log start offset and next offset of a partition. */
  bounds(topic: string, partition: number): PartitionBounds {
    return readBounds(this.partitionDir(topic, partition));
  }

  /**
   * A reader of one partition positioned at `from`. An offset below the log start or past the end is an
   * OffsetOutOfRangeError naming the earliest available offset (or the end).
   */
  reader(topic: string, partition: number, from: ReadFrom): PartitionReader {
    const dir = this.partitionDir(topic, partition);
    const bounds = readBounds(dir);
    let offset: number;
    if (from === 'earliest') offset = bounds.earliest;
    else if (from === 'latest') offset = bounds.next;
    else if (typeof from === 'number') {
      if (!Number.isSafeInteger(from) || from < bounds.earliest || from > bounds.next)
        throw new OffsetOutOfRangeError(topic, partition, from, bounds.earliest, bounds.next);
      offset = from;
    } else offset = Math.max(offsetForTimestamp(dir, from.timestamp), bounds.earliest);
    return new PartitionReader(dir, topic, partition, offset, this.onWarning);
  }

  /** Every record of a partition from `from` to the end of the log as it is now. */
  async readAll(topic: string, partition: number, from: ReadFrom = 'earliest'): Promise<LogRecord[]> {
    const reader = this.reader(topic, partition, from);
    const out: LogRecord[] = [];
    try {
      for (let batch = reader.poll(); batch.length > 0; batch = reader.poll()) out.push(...batch);
    } finally {
      reader.close();
    }
    return out;
  }

  /** The directory of a partition, for readers (which watch it to follow). */
  partitionDir(topic: string, partition: number): string {
    const config = this.topicConfig(topic);
    if (!Number.isInteger(partition) || partition < 0 || partition >= config.partitions)
      throw new UnknownPartitionError(topic, partition, config.partitions);
    return topicPaths(this.dir, topic).partition(partition);
  }

  // ---- consumer groups ----

  /** Records that `group` has consumed `topic`/`partition` up to (not including) `offset`. */
  async commit(
    group: string,
    topic: string,
    partition: number,
    offset: number,
    options: { sync?: SyncMode } = {},
  ): Promise<void> {
    if (group.length === 0) throw new InvalidConfigError('a group name cannot be empty');
    const { earliest, next } = this.bounds(topic, partition);
    if (!Number.isSafeInteger(offset) || offset < 0 || offset > next)
      throw new OffsetOutOfRangeError(topic, partition, offset, earliest, next);
    await this.groups().commit(group, topic, partition, offset, options.sync ?? 'none');
  }

  /** The offset `group` committed for `topic`/`partition` (the next to consume), or null. */
  committed(group: string, topic: string, partition: number): number | null {
    return this.groups().committed(group, topic, partition);
  }

  private groups(): ConsumerOffsets {
    this.consumerOffsets ??= new ConsumerOffsets(this, this.onWarning);
    return this.consumerOffsets;
  }

  /** Waits for pending appends, syncs nothing more than their modes asked, and closes the files. */
  async close(): Promise<void> {
    this.consumerOffsets?.close();
    this.consumerOffsets = null;
    await Promise.all([...this.topics.values()].map((t) => t.close()));
    this.topics.clear();
  }

  private topic(name: string): Topic {
    let topic = this.topics.get(name);
    if (topic === undefined) {
      // Only a name not seen yet: a topic in the map was checked when it went in (one append per turn asks).
      validateTopicName(name);
      topic = new Topic(this.dir, name, {
        clock: this.clock,
        onWarning: this.onWarning,
        lock: this.lock,
        maintenanceIntervalMs: this.maintenanceIntervalMs,
        leaseMs: this.leaseMs,
      });
      this.topics.set(name, topic);
    }
    return topic;
  }

  private topicForWrite(name: string, create: boolean): Topic {
    try {
      return this.topic(name);
    } catch (err) {
      if (!(err instanceof UnknownTopicError) || !create) throw err;
    }
    try {
      this.createTopic(name);
    } catch (err) {
      if (!(err instanceof TopicExistsError)) throw err;
    }
    return this.topic(name);
  }
}

function parseConfig(config: TopicConfigInput): TopicConfig {
  const result = topicConfigSchema.safeParse(config);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  throw new InvalidConfigError(
    `invalid topic config${issue.path.length ? ` ${issue.path.join('.')}` : ''}: ${issue.message}`,
  );
}

/** Checks that a column of produce() has a value's length (no array per call: produce is the hot path). */
function sameLength(column: readonly unknown[] | undefined, what: string, values: readonly unknown[]): void {
  if (column !== undefined && column.length !== values.length)
    throw new InvalidConfigError(`produce: ${column.length} ${what} for ${values.length} values`);
}

/** The records as key and value columns, or null if one has headers, a timestamp or a partition of its own. */
function plainColumns(records: readonly ProduceRecord[]): ProduceColumns | null {
  const n = records.length;
  const keys = new Array<Buffer | string | null>(n);
  const values = new Array<Buffer | string | null>(n);
  for (let i = 0; i < n; i++) {
    const r = records[i]!;
    if (r.timestamp !== undefined || r.partition !== undefined || (r.headers !== undefined && r.headers.length > 0))
      return null;
    keys[i] = r.key ?? null;
    values[i] = r.value;
  }
  return { keys, values };
}
