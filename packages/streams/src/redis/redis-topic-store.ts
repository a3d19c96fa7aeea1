import { EscError } from '@esc/core';
import { connectRedis, type RedisConnection, RedisConnectionError } from '@esc/redis';
import type { PartitionBounds } from '../partition-reader.js';
import { partitionForKey } from '../partitioner.js';
import type { LogRecord } from '../record-batch.js';
import {
  InvalidConfigError,
  OffsetOutOfRangeError,
  RecordTooLargeError,
  TopicExistsError,
  UnknownPartitionError,
  UnknownTopicError,
} from '../stream-errors.js';
import { validateTopicName } from '../topic-name.js';
import type { ProduceRecord, ReadFrom } from '../topic-store.js';
import type { RecordPosition } from '../topic-writer.js';
import { entryRecord, recordFields, recordSize } from './redis-record-codec.js';
import {
  type RedisTopicConfig,
  type RedisTopicConfigInput,
  parseRedisTopicConfig,
  redisTopicConfigSchema,
} from './redis-topic-config.js';
import { ReplicasNotAcknowledgedError } from './redis-topic-errors.js';
import {
  configKey,
  idOfOffset,
  nextOffsetOfLastId,
  offsetOfId,
  partitionKey,
  partitionSlot,
  TOPIC_KEY_PREFIX,
  topicOfConfigKey,
} from './redis-topic-layout.js';

/** Reads of a partition go this many entries per XRANGE. */
const SCAN_COUNT = 1000;
/** A producing process re-reads a topic's config (an alter elsewhere) and applies time retention this often. */
const CONFIG_TTL_MS = 5_000;
const RETENTION_INTERVAL_MS = 60_000;
/** Times an append reads the slot map again and resends after a MOVED (a failover moves a slot once). */
const MOVED_RETRIES = 3;

export interface RedisTopicsOptions {
  /** Record timestamps and retention, in Unix milliseconds; inject one in tests. */
  clock?: () => number;
  /**
   * true (the default, for one-shot commands): one connection attempt, errors at once. false for long-lived
   * producers and consumers: reconnect and retry through a failover (@esc/redis connectRedis).
   */
  failFast?: boolean;
  connectionName?: string;
  /** How often a producing process applies time retention after an append (default 60 s; Infinity: never). */
  retentionIntervalMs?: number;
}

export interface RedisAppendOptions {
  /** Create a missing topic with the defaults (default true). */
  create?: boolean;
  /**
   * After the records are written, WAIT until this many replicas have them (default 0: Redis acknowledges a
   * write as soon as the master has it, before any replica does). Fewer within waitTimeoutMs is an error.
   */
  waitReplicas?: number;
  /** WAIT's timeout (default 5,000 ms). */
  waitTimeoutMs?: number;
}

export interface RedisPartitionInfo extends PartitionBounds {
  partition: number;
  /** Entries in the stream (XLEN). */
  records: number;
  key: string;
  slot: number;
}

/** Opens topics kept in a Redis server or a Redis Cluster (docs/formats/redis-topics.md). */
export async function openRedisTopics(url: string, options: RedisTopicsOptions = {}): Promise<RedisTopicStore> {
  const connection = await connectRedis(url, {
    failFast: options.failFast ?? true,
    connectionName: options.connectionName ?? 'esc-topics',
  });
  return new RedisTopicStore(connection, options);
}

/**
 * Topics on Redis Streams: a topic of N partitions is N stream keys, records go to partitions by Kafka's
 * murmur2 partitioner, offsets are stream IDs `0-(offset+1)`, consumer groups are Redis consumer groups.
 */
export class RedisTopicStore {
  private readonly clock: () => number;
  private readonly retentionIntervalMs: number;
  private readonly configs = new Map<string, { config: RedisTopicConfig; readAt: number }>();
  private readonly retainedAt = new Map<string, number>();
  /** Keyless records go round robin from a random partition, so short-lived producers do not all start at 0. */
  private roundRobin = Math.floor(Math.random() * 10_000);

  /** @internal use openRedisTopics */
  constructor(
    readonly connection: RedisConnection,
    options: RedisTopicsOptions = {},
  ) {
    this.clock = options.clock ?? Date.now;
    this.retentionIntervalMs = options.retentionIntervalMs ?? RETENTION_INTERVAL_MS;
  }

  // ---- topics ----

  async createTopic(name: string, input: RedisTopicConfigInput = {}): Promise<RedisTopicConfig> {
    validateTopicName(name);
    const config = parseRedisTopicConfig(input);
    const created = await this.run(() => this.client.call('SET', configKey(name), JSON.stringify(config), 'NX'));
    if (created === null) throw new TopicExistsError(name);
    this.configs.set(name, { config, readAt: Date.now() });
    return config;
  }

  /** Topic names, sorted: the config keys found by SCAN on every master. */
  async listTopics(): Promise<string[]> {
    const names = new Set<string>();
    for (const master of this.connection.masters()) {
      let cursor = '0';
      do {
        const [next, keys] = (await this.run(() =>
          master.call('SCAN', cursor, 'MATCH', `${TOPIC_KEY_PREFIX}*`, 'COUNT', 1000),
        )) as [string, string[]];
        cursor = next;
        for (const key of keys) {
          const name = topicOfConfigKey(key);
          if (name !== null) names.add(name);
        }
      } while (cursor !== '0');
    }
    return [...names].sort();
  }

  async topicConfig(name: string): Promise<RedisTopicConfig> {
    validateTopicName(name);
    const text = (await this.run(() => this.client.call('GET', configKey(name)))) as string | null;
    if (text === null) throw new UnknownTopicError(name);
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = undefined;
    }
    const result = redisTopicConfigSchema.safeParse(parsed);
    if (!result.success) throw new InvalidConfigError(`${configKey(name)} does not hold a topic config`);
    this.configs.set(name, { config: result.data, readAt: Date.now() });
    return result.data;
  }

  async describeTopic(
    name: string,
  ): Promise<{ name: string; config: RedisTopicConfig; partitions: RedisPartitionInfo[] }> {
    const config = await this.topicConfig(name);
    const partitions = await Promise.all(
      Array.from({ length: config.partitions }, async (_, p) => {
        const info = await this.streamInfo(name, p);
        return {
          partition: p,
          earliest: info.earliest,
          next: info.next,
          records: info.length,
          key: partitionKey(name, p),
          slot: partitionSlot(name, p),
        };
      }),
    );
    return { name, config, partitions };
  }

  /** Changes settings; partitions may grow, never shrink (keyed records then move, as in Kafka). */
  async alterTopic(name: string, changes: RedisTopicConfigInput): Promise<RedisTopicConfig> {
    const current = await this.topicConfig(name);
    const next = parseRedisTopicConfig({ ...current, ...changes });
    if (next.partitions < current.partitions)
      throw new InvalidConfigError(
        `topic '${name}' has ${current.partitions} partitions; the number of partitions can only grow`,
      );
    await this.run(() => this.client.call('SET', configKey(name), JSON.stringify(next), 'XX'));
    this.configs.set(name, { config: next, readAt: Date.now() });
    return next;
  }

  /** Deletes the partitions' streams (their groups with them), then the config: a topic goes whole. */
  async deleteTopic(name: string): Promise<void> {
    const config = await this.topicConfig(name);
    for (let p = 0; p < config.partitions; p++) await this.run(() => this.client.call('DEL', partitionKey(name, p)));
    await this.run(() => this.client.call('DEL', configKey(name)));
    this.configs.delete(name);
  }

  // ---- writing ----

  /**
   * Appends records: one pipeline of `XADD key [MAXLEN ~ N] 0-* …` per partition (one slot each, so a cluster
   * takes each pipeline on one master), with `WAIT n timeout` at its end when waitReplicas asks. Resolves with
   * each record's partition and offset, in the caller's order. A record over max.message.bytes fails the call
   * before anything is written.
   */
  async append(
    topic: string,
    records: readonly ProduceRecord[],
    options: RedisAppendOptions = {},
  ): Promise<RecordPosition[]> {
    const config = await this.configForWrite(topic, options.create ?? true);
    const now = this.clock();
    const byPartition = new Map<number, number[]>();
    records.forEach((r, i) => {
      const size = recordSize(r);
      if (size > config.maxMessageBytes) throw new RecordTooLargeError(topic, size, config.maxMessageBytes);
      const p = this.partitionOf(topic, config, r);
      let list = byPartition.get(p);
      if (list === undefined) byPartition.set(p, (list = []));
      list.push(i);
    });
    const waitReplicas = options.waitReplicas ?? 0;
    const waitTimeoutMs = options.waitTimeoutMs ?? 5_000;
    const trim: (string | number)[] = config.retentionRecords >= 0 ? ['MAXLEN', '~', config.retentionRecords] : [];
    const positions: RecordPosition[] = new Array(records.length);
    const shortfalls: { partition: number; acknowledged: number }[] = [];
    await this.run(() =>
      Promise.all(
        [...byPartition].map(async ([partition, indexes]) => {
          const key = partitionKey(topic, partition);
          const send = async () => {
            const pipeline = this.client.pipeline();
            for (const i of indexes) {
              const r = records[i]!;
              pipeline.call('XADD', key, ...trim, '0-*', ...recordFields(r, r.timestamp ?? now));
            }
            if (waitReplicas > 0) pipeline.call('WAIT', waitReplicas, waitTimeoutMs);
            return (await pipeline.exec()) ?? [];
          };
          let replies = await send();
          // The slot moved (a failover) and the WAIT kept ioredis from following: the XADDs were not run; read
          // the slot map again and send them to the new master.
          for (let n = 0; n < MOVED_RETRIES && replies.some(([err]) => err?.message.startsWith('MOVED ')); n++) {
            await this.connection.refreshSlots();
            replies = await send();
          }
          for (const [err] of replies) if (err) throw err;
          indexes.forEach((i, k) => {
            positions[i] = { partition, offset: offsetOfId(replies[k]![1] as string) };
          });
          if (waitReplicas > 0) {
            const acknowledged = replies[indexes.length]![1] as number;
            if (acknowledged < waitReplicas) shortfalls.push({ partition, acknowledged });
          }
        }),
      ),
    );
    if (shortfalls.length > 0)
      throw new ReplicasNotAcknowledgedError(
        topic,
        shortfalls.sort((a, b) => a.partition - b.partition),
        waitReplicas,
      );
    if (config.retentionMs >= 0 && (this.retainedAt.get(topic) ?? 0) + this.retentionIntervalMs <= Date.now())
      await this.applyRetention(topic);
    return positions;
  }

  private partitionOf(topic: string, config: RedisTopicConfig, r: ProduceRecord): number {
    if (r.partition !== undefined) {
      if (!Number.isInteger(r.partition) || r.partition < 0 || r.partition >= config.partitions)
        throw new UnknownPartitionError(topic, r.partition, config.partitions);
      return r.partition;
    }
    const key = r.key ?? null;
    if (key !== null) return partitionForKey(typeof key === 'string' ? Buffer.from(key) : key, config.partitions);
    const p = this.roundRobin % config.partitions;
    this.roundRobin = p + 1;
    return p;
  }

  /**
   * Time retention now: per partition, the oldest records whose timestamp is more than retention.ms old are
   * trimmed with `XTRIM key MINID <first record to keep>` (exact). Stream IDs carry offsets, not times, so the
   * cut is found by reading from the start: the cost is the records removed. Producers run it once a minute.
   */
  async applyRetention(topic: string): Promise<{ partition: number; earliest: number }[]> {
    const config = await this.topicConfig(topic);
    this.retainedAt.set(topic, Date.now());
    const out: { partition: number; earliest: number }[] = [];
    for (let p = 0; p < config.partitions; p++) {
      if (config.retentionMs < 0) {
        out.push({ partition: p, earliest: (await this.bounds(topic, p)).earliest });
        continue;
      }
      const cutoff = this.clock() - config.retentionMs;
      const { next } = await this.bounds(topic, p);
      let keep = await this.firstOffsetWhere(topic, p, (r) => r.timestamp >= cutoff);
      if (keep === null) keep = next;
      await this.run(() => this.client.call('XTRIM', partitionKey(topic, p), 'MINID', idOfOffset(keep)));
      out.push({ partition: p, earliest: Math.min(keep, next) });
    }
    return out;
  }

  // ---- reading ----

  /** The log start offset (the first entry left) and the next offset (from last-generated-id) of a partition. */
  async bounds(topic: string, partition: number): Promise<PartitionBounds> {
    const { earliest, next } = await this.streamInfo(topic, partition);
    return { earliest, next };
  }

  private async streamInfo(topic: string, partition: number): Promise<PartitionBounds & { length: number }> {
    const key = partitionKey(topic, partition);
    let reply: unknown[];
    try {
      reply = (await this.client.call('XINFO', 'STREAM', key)) as unknown[];
    } catch (err) {
      if (err instanceof Error && /no such key/i.test(err.message)) return { earliest: 0, next: 0, length: 0 };
      throw this.asEscError(err);
    }
    const info = new Map<string, unknown>();
    for (let i = 0; i + 1 < reply.length; i += 2) info.set(String(reply[i]), reply[i + 1]);
    const next = nextOffsetOfLastId(String(info.get('last-generated-id')));
    const first = info.get('first-entry') as [string, unknown] | null;
    const earliest = first === null || first === undefined ? next : offsetOfId(String(first[0]));
    return { earliest, next, length: Number(info.get('length')) };
  }

  /** Where `from` is in a partition, as an offset; an offset outside the log is OffsetOutOfRangeError. */
  async position(topic: string, partition: number, from: ReadFrom): Promise<number> {
    await this.checkPartition(topic, partition);
    const bounds = await this.bounds(topic, partition);
    if (from === 'earliest') return bounds.earliest;
    if (from === 'latest') return bounds.next;
    if (typeof from === 'number') {
      if (!Number.isSafeInteger(from) || from < bounds.earliest || from > bounds.next)
        throw new OffsetOutOfRangeError(topic, partition, from, bounds.earliest, bounds.next);
      return from;
    }
    const at = from.timestamp;
    return (await this.firstOffsetWhere(topic, partition, (r) => r.timestamp >= at)) ?? bounds.next;
  }

  /** Up to `count` records of a partition from `offset` on (XRANGE). */
  async read(topic: string, partition: number, offset: number, count: number): Promise<LogRecord[]> {
    const entries = (await this.run(() =>
      this.client.callBuffer('XRANGE', partitionKey(topic, partition), idOfOffset(offset), '+', 'COUNT', count),
    )) as [Buffer, Buffer[]][];
    return entries.map(([id, fields]) => entryRecord(offsetOfId(id.toString('latin1')), fields));
  }

  /** Every record of a partition from `from` to the end as it is now. */
  async readAll(topic: string, partition: number, from: ReadFrom = 'earliest'): Promise<LogRecord[]> {
    const out: LogRecord[] = [];
    let offset = await this.position(topic, partition, from);
    for (;;) {
      const batch = await this.read(topic, partition, offset, SCAN_COUNT);
      out.push(...batch);
      if (batch.length < SCAN_COUNT) return out;
      offset = batch[batch.length - 1]!.offset + 1;
    }
  }

  private async firstOffsetWhere(
    topic: string,
    partition: number,
    test: (r: LogRecord) => boolean,
  ): Promise<number | null> {
    let offset = 0;
    for (;;) {
      const batch = await this.read(topic, partition, offset, SCAN_COUNT);
      const hit = batch.find(test);
      if (hit !== undefined) return hit.offset;
      if (batch.length < SCAN_COUNT) return null;
      offset = batch[batch.length - 1]!.offset + 1;
    }
  }

  // ---- consumer groups ----

  /**
   * Sets where `group` reads `topic`/`partition` next (Kafka's commit, or a reset): XGROUP CREATE (or SETID
   * when the group exists) at the ID of the record before `offset`. Entries delivered and not acknowledged stay
   * pending.
   */
  async commit(group: string, topic: string, partition: number, offset: number): Promise<void> {
    if (group.length === 0) throw new InvalidConfigError('a group name cannot be empty');
    await this.checkPartition(topic, partition);
    const { earliest, next } = await this.bounds(topic, partition);
    if (!Number.isSafeInteger(offset) || offset < 0 || offset > next)
      throw new OffsetOutOfRangeError(topic, partition, offset, earliest, next);
    const key = partitionKey(topic, partition);
    const id = `0-${offset}`;
    try {
      await this.client.call('XGROUP', 'CREATE', key, group, id, 'MKSTREAM');
    } catch (err) {
      if (!(err instanceof Error && err.message.startsWith('BUSYGROUP'))) throw this.asEscError(err);
      await this.run(() => this.client.call('XGROUP', 'SETID', key, group, id));
    }
  }

  /** Creates `group` on a partition at its first record when it does not exist yet (Kafka's earliest reset). */
  async ensureGroup(group: string, topic: string, partition: number): Promise<void> {
    try {
      await this.client.call('XGROUP', 'CREATE', partitionKey(topic, partition), group, '0-0', 'MKSTREAM');
    } catch (err) {
      if (!(err instanceof Error && err.message.startsWith('BUSYGROUP'))) throw this.asEscError(err);
    }
  }

  /**
   * The offset `group` is at on a partition: its oldest pending (delivered, not acknowledged) record, else the
   * one after its last-delivered ID; null when the group does not exist there.
   */
  async committed(group: string, topic: string, partition: number): Promise<number | null> {
    const key = partitionKey(topic, partition);
    let groups: unknown[][];
    try {
      groups = (await this.client.call('XINFO', 'GROUPS', key)) as unknown[][];
    } catch (err) {
      if (err instanceof Error && /no such key/i.test(err.message)) return null;
      throw this.asEscError(err);
    }
    for (const g of groups) {
      const info = new Map<string, unknown>();
      for (let i = 0; i + 1 < g.length; i += 2) info.set(String(g[i]), g[i + 1]);
      if (String(info.get('name')) !== group) continue;
      if (Number(info.get('pending')) > 0) {
        const summary = (await this.run(() => this.client.call('XPENDING', key, group))) as [number, string];
        return offsetOfId(summary[1]);
      }
      return nextOffsetOfLastId(String(info.get('last-delivered-id')));
    }
    return null;
  }

  /** Acknowledges records a group member has processed (XACK): they leave the group's pending list. */
  async ack(group: string, topic: string, partition: number, offsets: readonly number[]): Promise<void> {
    if (offsets.length === 0) return;
    await this.run(() => this.client.call('XACK', partitionKey(topic, partition), group, ...offsets.map(idOfOffset)));
  }

  async close(): Promise<void> {
    await this.connection.close();
  }

  /** The ioredis client (a Redis or a Cluster): keyed commands go to the master of their slot. */
  get client(): RedisConnection['client'] {
    return this.connection.client;
  }

  private async checkPartition(topic: string, partition: number): Promise<void> {
    const config = await this.configForWrite(topic, false);
    if (!Number.isInteger(partition) || partition < 0 || partition >= config.partitions)
      throw new UnknownPartitionError(topic, partition, config.partitions);
  }

  private async configForWrite(topic: string, create: boolean): Promise<RedisTopicConfig> {
    const cached = this.configs.get(topic);
    if (cached !== undefined && cached.readAt + CONFIG_TTL_MS > Date.now()) return cached.config;
    try {
      return await this.topicConfig(topic);
    } catch (err) {
      if (!(err instanceof UnknownTopicError) || !create) throw err;
    }
    try {
      return await this.createTopic(topic);
    } catch (err) {
      if (!(err instanceof TopicExistsError)) throw err;
      return this.topicConfig(topic);
    }
  }

  private async run<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      throw this.asEscError(err);
    }
  }

  /** @internal a failure of Redis (an error reply, a lost connection) as an error naming the backend. */
  asEscError(err: unknown): unknown {
    if (err instanceof EscError) return err;
    return new RedisConnectionError(this.urlText(), err);
  }

  private urlText(): string {
    const url = this.connection.url;
    return url.kind === 'cluster'
      ? `redis-cluster://${url.nodes.map((n) => `${n.host}:${n.port}`).join(',')}`
      : `${url.tls ? 'rediss' : 'redis'}://${url.host}:${url.port}/${url.db}`;
  }
}
