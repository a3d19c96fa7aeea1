import type { RedisConnection } from '@esc/redis';
import { WakeSignal } from '../wake-signal.js';
import type { LogRecord } from '../record-batch.js';
import type { ConsumedBatch } from '../topic-consumer.js';
import { GroupSource, OffsetSource, type PartitionSource } from './redis-partition-source.js';
import { partitionKey } from './redis-topic-layout.js';
import type { RedisTopicStore } from './redis-topic-store.js';

type Client = RedisConnection['client'];

/** How long one blocking read waits at the end of a stream before it looks again (claims, stop). */
const BLOCK_MS = 1_000;

export interface RedisConsumeOptions {
  /** Default: every partition of the topic. */
  partitions?: readonly number[];
  /** Without a group: the offset each partition starts at (see RedisTopicStore.position). */
  from?: (partition: number) => number;
  /**
   * Read as a member of a Redis consumer group (created at the start of each stream when missing). The caller
   * acknowledges what it processed with RedisTopicStore.ack; what it does not stays pending, redelivered to the
   * same consumer name, or claimed by another member after `claimIdleMs`.
   */
  group?: { name: string; consumer: string; claimIdleMs?: number };
  /** Wait at the end for new records (XREAD/XREADGROUP BLOCK, one connection per partition). */
  follow?: boolean;
  /** With follow: stop after this long without a new record. */
  idleTimeoutMs?: number;
  /** Read no more than this many records in all (a group member takes no more than it will process). */
  max?: number;
  /** Records per read (COUNT), default 500. */
  batchSize?: number;
  signal?: AbortSignal;
}

/**
 * Reads a topic's partitions side by side, one reader per partition, yielding batches as they come; without
 * follow it ends when every partition is read to its end. A reader waits until its last batch was taken, so
 * at most one batch per partition is in memory.
 */
export async function* consumeRedis(
  store: RedisTopicStore,
  topic: string,
  options: RedisConsumeOptions = {},
): AsyncGenerator<ConsumedBatch> {
  const partitions = options.partitions ?? [...Array((await store.topicConfig(topic)).partitions).keys()];
  const batchSize = options.batchSize ?? 500;
  const follow = options.follow ?? false;
  const group = options.group;
  // A blocking read holds its connection: each following partition gets its own.
  const clients: Client[] = [];
  const clientFor = async (): Promise<Client> => {
    if (!follow) return store.client;
    const client = (store.client as { duplicate(): Client }).duplicate();
    client.on('error', () => {});
    clients.push(client);
    await client.connect();
    return client;
  };
  const sources: PartitionSource[] = [];
  for (const p of partitions) {
    const key = partitionKey(topic, p);
    if (group !== undefined) {
      await store.ensureGroup(group.name, topic, p);
      sources.push(new GroupSource(await clientFor(), key, p, group.name, group.consumer, group.claimIdleMs));
    } else sources.push(new OffsetSource(await clientFor(), key, p, options.from?.(p) ?? 0));
  }

  const queue: { batch: ConsumedBatch; taken: () => void }[] = [];
  const signal = new WakeSignal();
  const poke = signal.wake;
  // With max, each read reserves what it may return, so a group member never takes records it will not
  // process; a reader finding nothing reserved waits for another's unused share.
  const max = options.max ?? Number.POSITIVE_INFINITY;
  let budget = max;
  let delivered = 0;
  const budgetWaiters: (() => void)[] = [];
  const releaseBudget = () => {
    for (const w of budgetWaiters.splice(0)) w();
  };
  let running = sources.length;
  let stopped = false;
  let failure: unknown = null;
  const pump = async (source: PartitionSource) => {
    try {
      while (!stopped && delivered < max) {
        const want = Math.min(batchSize, budget);
        if (want <= 0) {
          await new Promise<void>((resolve) => budgetWaiters.push(resolve));
          continue;
        }
        budget -= want;
        let records: LogRecord[];
        try {
          records = await source.read(want, follow ? BLOCK_MS : undefined);
        } finally {
          budget += want;
        }
        budget -= records.length;
        delivered += records.length;
        releaseBudget();
        if (stopped) break;
        if (records.length === 0) {
          if (!follow) break;
          continue;
        }
        await new Promise<void>((taken) => {
          queue.push({ batch: { topic, partition: source.partition, records }, taken });
          poke();
        });
      }
    } catch (err) {
      if (!stopped) failure ??= store.asEscError(err);
    } finally {
      running--;
      releaseBudget();
      poke();
    }
  };
  options.signal?.addEventListener('abort', poke, { once: true });
  const pumps = sources.map(pump);
  try {
    for (;;) {
      if (failure !== null) throw failure;
      const item = queue.shift();
      if (item !== undefined) {
        try {
          yield item.batch;
        } finally {
          item.taken();
        }
        continue;
      }
      if (running === 0 || options.signal?.aborted) return;
      if (await signal.wait(follow ? options.idleTimeoutMs : undefined)) return;
    }
  } finally {
    stopped = true;
    releaseBudget();
    for (const item of queue.splice(0)) item.taken();
    for (const client of clients) client.disconnect();
    options.signal?.removeEventListener('abort', poke);
    await Promise.allSettled(pumps);
  }
}
