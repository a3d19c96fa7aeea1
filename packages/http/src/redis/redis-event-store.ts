import { redactUrl } from '@esc/redis';
import type { EventStore } from '../event-store.js';
import { BackPressureError } from '../ingest-pipeline.js';
import type { LogEvent, NewLogEvent } from '../log-event.js';
import type { LogQuery, QueryResult } from '../log-query.js';
import { APPEND_SCRIPT } from './append-script.js';
import { EventKeys, offsetOfId } from './event-keys.js';
import { decodeStoredEvent, encodeStoredEvent } from './stored-event.js';
import { StreamFollower } from './stream-follower.js';
import { StreamQuery } from './stream-query.js';
import type { RedisBackend } from './redis-backend.js';

export interface RedisEventStoreOptions {
  /** Partitions of a new log (default 4); a log that exists keeps the count its first instance chose. */
  partitions?: number;
  /** Events older than this (by stream ID) are trimmed as new ones come (default 7 days, as a topic's). */
  retentionMs?: number;
  /** As HttpAppOptions.maxPendingEvents (default 200,000). */
  maxPendingEvents?: number;
  clock?: () => number;
}

/** Events per script call: a big batch is several atomic chunks, so no single call holds Redis for long. */
const CHUNK = 500;
const DEFAULT_RETENTION_MS = 7 * 24 * 3_600_000;

/**
 * The events in Redis Streams shared by every `esc serve --backend` instance (docs/formats/redis-http.md): an
 * append is one Lua script per chunk on one partition (all-events, level and service streams), acknowledged once
 * Redis has applied it; queries read the one stream that fits the filter from every partition, newest first, and
 * merge them by offset; the live tail follows every partition's all-events stream (XREAD BLOCK), so events
 * ingested through other instances reach this one's SSE clients.
 */
export class RedisEventStore implements EventStore {
  pending = 0;
  processed = 0;
  refused = 0;
  private readonly listeners: ((e: LogEvent) => void)[] = [];
  private readonly follower: StreamFollower<LogEvent>;
  private next = 0;

  private constructor(
    private readonly backend: RedisBackend,
    private readonly keys: EventKeys,
    readonly partitions: number,
    private readonly options: RedisEventStoreOptions,
  ) {
    this.follower = new StreamFollower(
      backend.connection,
      Array.from({ length: partitions }, (_, p) => keys.all(p)),
      decodeStoredEvent,
    );
  }

  static async open(backend: RedisBackend, options: RedisEventStoreOptions = {}): Promise<RedisEventStore> {
    const keys = new EventKeys(backend.prefix);
    const client = backend.connection.client;
    await client.set(keys.partitions, String(options.partitions ?? 4), 'NX');
    const partitions = Number(await client.get(keys.partitions));
    if (!Number.isInteger(partitions) || partitions < 1 || partitions > 64)
      throw new Error(`${keys.partitions} holds ${partitions}, not a partition count from 1 to 64`);
    const store = new RedisEventStore(backend, keys, partitions, options);
    await store.follower.start();
    return store;
  }

  onEvent(listener: (e: LogEvent) => void): void {
    this.listeners.push(listener);
  }

  onLive(listener: (e: LogEvent) => void, wanted?: () => boolean): void {
    this.follower.onEvent(listener, wanted);
  }

  async ingest(events: NewLogEvent[], _sources?: readonly (string | null)[]): Promise<LogEvent[]> {
    const limit = this.options.maxPendingEvents ?? 200_000;
    if (this.pending + events.length > limit && this.pending > 0) {
      this.refused += events.length;
      throw new BackPressureError(this.pending, limit);
    }
    this.pending += events.length;
    // One partition per request, taken in turn: a request's events stay in order in one partition.
    const partition = this.next;
    this.next = (this.next + 1) % this.partitions;
    try {
      // The chunks go out at once: one partition is one slot, so one connection carries them in order.
      const chunks: Promise<LogEvent[]>[] = [];
      for (let at = 0; at < events.length; at += CHUNK)
        chunks.push(this.append(partition, events.slice(at, at + CHUNK)));
      const stored = (await Promise.all(chunks)).flat();
      this.processed += stored.length;
      for (const e of stored)
        for (const l of this.listeners) {
          try {
            l(e);
          } catch (err) {
            process.emitWarning(`esc http: an event listener failed: ${(err as Error).message}`);
          }
        }
      return stored;
    } finally {
      this.pending -= events.length;
    }
  }

  private async append(partition: number, events: NewLogEvent[]): Promise<LogEvent[]> {
    const k = this.keys;
    const keys = [k.all(partition), k.clock(partition), k.levels(partition), k.services(partition)];
    const keyIndex = new Map<string, number>();
    const indexOf = (key: string): number => {
      let i = keyIndex.get(key);
      if (i === undefined) {
        keys.push(key);
        i = keys.length;
        keyIndex.set(key, i);
      }
      return i;
    };
    // The stream IDs' clock is the time the events were received (one for a request), so the two agree.
    const now = events[0]!.receivedAt;
    const minid = Math.max(0, (this.options.clock ?? Date.now)() - (this.options.retentionMs ?? DEFAULT_RETENTION_MS));
    const args: (string | number)[] = [now, this.partitions, partition, minid, events.length];
    for (const e of events)
      args.push(
        indexOf(k.level(partition, e.level)),
        indexOf(k.service(partition, e.service)),
        e.level,
        e.service,
        encodeStoredEvent(e),
      );
    const ids = (await APPEND_SCRIPT.run(this.backend.connection.client, keys, args)) as string[];
    return events.map((e, i) => ({ ...e, offset: offsetOfId(ids[i]!) }));
  }

  query(query: LogQuery): Promise<QueryResult> {
    return new StreamQuery(this.backend.connection.client, this.keys, this.partitions).run(query);
  }

  async stats(): Promise<Record<string, unknown>> {
    const client = this.backend.connection.client;
    const k = this.keys;
    let stored = 0;
    const levels: Record<string, number> = {};
    const services = new Set<string>();
    for (let p = 0; p < this.partitions; p++) {
      const [length, levelNames, serviceNames] = await Promise.all([
        client.xlen(k.all(p)),
        client.smembers(k.levels(p)),
        client.smembers(k.services(p)),
      ]);
      stored += length;
      for (const s of serviceNames) services.add(s);
      const counts = await Promise.all(levelNames.map((l) => client.xlen(k.level(p, l))));
      levelNames.forEach((l, i) => {
        levels[l] = (levels[l] ?? 0) + counts[i]!;
      });
    }
    return {
      logs_in_storage: stored,
      backend: redactUrl(this.backend.url),
      partitions: this.partitions,
      levels,
      services: services.size,
    };
  }

  async close(): Promise<void> {
    await this.follower.stop();
  }
}
