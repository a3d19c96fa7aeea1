import type { RedisConnection } from '@esc/redis';
import { Cluster, type Redis } from 'ioredis';

/** How long one XREAD waits for new entries before asking again (a stop cuts it short). */
const BLOCK_MS = 5_000;
const COUNT = 1_000;

/**
 * Follows streams from their end as they are now (XREAD BLOCK), each on a connection of its own (a blocked
 * connection serves nothing else; in a cluster the streams of different partitions live on different masters),
 * and hands every new entry, from any instance, decoded, to the listeners: the live tail and the shared alert
 * history of `esc serve --backend`.
 */
export class StreamFollower<T> {
  private readonly listeners: { listener: (item: T) => void; wanted: () => boolean }[] = [];
  private readonly readers: (Redis | Cluster)[] = [];
  private readonly loops: Promise<void>[] = [];
  private stopped = false;
  /** Settles at stop(): a read waits for it or its reply, whichever comes first. */
  private readonly stopping: Promise<null>;
  private resolveStopping!: (value: null) => void;

  constructor(
    private readonly connection: RedisConnection,
    private readonly keys: readonly string[],
    /** An entry into its item; null for an entry that is not one (skipped). */
    private readonly decode: (entry: [string, string[]]) => T | null,
  ) {
    this.stopping = new Promise((resolve) => {
      this.resolveStopping = resolve;
    });
  }

  /** `wanted`: while it is false for every listener, entries are not decoded (an idle live tail costs no parsing). */
  onEvent(listener: (item: T) => void, wanted: () => boolean = () => true): void {
    this.listeners.push({ listener, wanted });
  }

  /** Resolves once every stream is followed: an event appended after it is seen. */
  async start(): Promise<void> {
    for (const key of this.keys) {
      const client = this.connection.client;
      const reader: Redis | Cluster = client instanceof Cluster ? client.duplicate() : client.duplicate();
      reader.on('error', () => {});
      this.readers.push(reader);
      if (reader.status === 'wait') await reader.connect();
      // The last ID now, not `$` at each call: entries appended between two calls are not missed.
      const last = (await reader.xrevrange(key, '+', '-', 'COUNT', 1)) as [string, string[]][];
      this.loops.push(this.follow(reader, key, last[0]?.[0] ?? '0-0'));
    }
  }

  private async follow(reader: Redis | Cluster, key: string, from: string): Promise<void> {
    let last = from;
    while (!this.stopped) {
      let reply: [string, [string, string[]][]][] | null;
      try {
        // Not the reply alone: a read sent to a cluster in a failover can be left pending by ioredis forever once
        // the reader is disconnected (seen: `esc serve --backend` never exited after a SIGTERM mid-failover).
        reply = (await Promise.race([
          reader.xread('COUNT', COUNT, 'BLOCK', BLOCK_MS, 'STREAMS', key, last),
          this.stopping,
        ])) as typeof reply;
        if (this.stopped) return;
      } catch {
        if (this.stopped) return;
        // Disconnected (a failover): the client reconnects; ask again from the same place.
        await new Promise((resolve) => setTimeout(resolve, 200));
        continue;
      }
      for (const [, entries] of reply ?? [])
        for (const entry of entries) {
          last = entry[0];
          const wanting = this.listeners.filter((l) => l.wanted());
          if (wanting.length === 0) continue;
          const item = this.decode(entry);
          if (item === null) continue;
          for (const l of wanting) l.listener(item);
        }
    }
  }

  /** Disconnects the readers and returns once every loop has ended, without waiting for a reply from Redis. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.resolveStopping(null);
    for (const reader of this.readers) reader.disconnect();
    await Promise.allSettled(this.loops);
  }
}
