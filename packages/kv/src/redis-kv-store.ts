import { connectRedis, groupBySlot, RedisConnectionError, type RedisConnection, redactUrl } from '@esc/redis';
import { bytesToKvString, isWellFormedKvString, kvStringToBytes } from './binary-value.js';
import { checkExpireConditions, type ExpireCondition, resolveSetExpiry } from './expiry.js';
import type { KeyValueStore } from './key-value-store.js';
import type { KvItem } from './kv-entry.js';
import { KvUsageError, KvValueError } from './kv-errors.js';
import { type RedisKvStats, redisStats } from './redis-kv-stats.js';
import type { SetOptions, SetResult } from './set-options.js';

type RedisKey = string | Buffer;

/** How many keys one SCAN step asks for, and how many GET/PEXPIRETIME pairs one pipeline carries. */
const SCAN_COUNT = 1000;

/**
 * The kv store on Redis or Redis Cluster: each method is the Redis command of the same name, so the semantics are
 * Redis's own (the embedded store copies them). Keys and values are binary on Redis and strings here: they cross
 * with the embedded store's mapping (binary-value.ts), so a non-UTF-8 value set through redis-cli comes back as
 * the same bytes. On a cluster, multi-key commands are split by hash slot as cluster clients split them (MSET is
 * then atomic per slot only) and whole-keyspace commands (KEYS, SCAN, FLUSHDB, DBSIZE) visit every master.
 */
export class RedisKvStore implements KeyValueStore {
  private readonly conn: RedisConnection;
  private readonly redacted: string;

  /** @internal use openKv */
  constructor(conn: RedisConnection, url: string) {
    this.conn = conn;
    this.redacted = redactUrl(url);
  }

  private get client() {
    return this.conn.client;
  }

  get(key: string): Promise<string | null> {
    // No async frame of its own: one awaited GET is the latency row of docs/benchmarks.md (suite scale-out).
    return this.client.getBuffer(toRedis(key)).then(fromRedis, this.rethrow);
  }

  async mget(keys: readonly string[]): Promise<(string | null)[]> {
    const out: (string | null)[] = new Array(keys.length).fill(null);
    await this.perSlot(keys, async (group, indexes) => {
      const values = await this.run(this.client.mgetBuffer(group));
      values.forEach((v, i) => {
        out[indexes[i]!] = fromRedis(v);
      });
    });
    return out;
  }

  async exists(keys: readonly string[]): Promise<number> {
    return this.countPerSlot(keys, (group) => this.client.exists(group));
  }

  async ttl(key: string): Promise<number> {
    return this.run(this.client.ttl(toRedis(key)));
  }

  async pttl(key: string): Promise<number> {
    return this.run(this.client.pttl(toRedis(key)));
  }

  async keys(pattern = '*'): Promise<string[]> {
    const found = new Set<string>();
    for (const master of this.conn.masters()) {
      for await (const batch of this.scan(master, pattern)) for (const k of batch) found.add(bytesToKvString(k));
    }
    return [...found].sort(compareKeys);
  }

  async items(): Promise<KvItem[]> {
    const items = new Map<string, KvItem>();
    for (const master of this.conn.masters()) {
      for await (const batch of this.scan(master, '*')) {
        const pipeline = master.pipeline();
        for (const k of batch) pipeline.getBuffer(k).pexpiretime(k);
        const replies = (await this.run(pipeline.exec())) ?? [];
        batch.forEach((k, i) => {
          const [valueErr, value] = replies[2 * i]!;
          const [, expiry] = replies[2 * i + 1]!;
          // Gone (expired or deleted) since the SCAN, or not a string: not a kv item.
          if (valueErr || value === null || typeof expiry !== 'number' || expiry === -2) return;
          const key = bytesToKvString(k);
          items.set(key, { key, value: bytesToKvString(value as Buffer), expiresAt: expiry === -1 ? null : expiry });
        });
      }
    }
    return [...items.values()].sort((a, b) => compareKeys(a.key, b.key));
  }

  async stats(): Promise<RedisKvStats> {
    return this.run(redisStats(this.conn, this.redacted));
  }

  /** Every master answers and, on a cluster, says every slot is served (Redis checks its own files itself). */
  async verify(): Promise<void> {
    for (const master of this.conn.masters()) {
      await this.run(master.ping());
      if (!this.conn.isCluster) continue;
      const info = await this.run(master.cluster('INFO'));
      const where = `${master.options.host}:${master.options.port}`;
      if (!/cluster_state:ok/.test(info) || !/cluster_slots_ok:16384/.test(info))
        throw new RedisConnectionError(this.redacted, new Error(`${where} reports the cluster not ok`));
    }
  }

  async set(key: string, value: string, options: SetOptions = {}): Promise<SetResult> {
    if (options.nx && options.xx) throw new KvUsageError('NX and XX cannot be combined (syntax error)');
    resolveSetExpiry(options, 0); // the embedded store's checks and messages, before anything is sent
    const args: (string | number | Buffer)[] = [toRedis(key), toRedis(value)];
    if (options.nx) args.push('NX');
    if (options.xx) args.push('XX');
    args.push('GET');
    if (options.ex !== undefined) args.push('EX', options.ex);
    else if (options.px !== undefined) args.push('PX', options.px);
    else if (options.exat !== undefined) args.push('EXAT', options.exat);
    else if (options.pxat !== undefined) args.push('PXAT', options.pxat);
    else if (options.keepttl) args.push('KEEPTTL');
    // SET … GET answers the old value whether or not NX/XX let the write happen (Redis 7).
    const previous = fromRedis((await this.run(this.client.callBuffer('SET', args))) as Buffer | null);
    const written = options.nx ? previous === null : options.xx ? previous !== null : true;
    return { written, previous };
  }

  async mset(pairs: readonly (readonly [string, string])[]): Promise<void> {
    await this.perSlot(
      pairs.map(([k]) => k),
      async (group, indexes) => {
        await this.run(this.client.mset(group.flatMap((k, i) => [k, toRedis(pairs[indexes[i]!]![1])])));
      },
    );
  }

  async del(keys: readonly string[]): Promise<number> {
    return this.countPerSlot(keys, (group) => this.client.del(group));
  }

  expire(key: string, seconds: number, conditions: readonly ExpireCondition[] = []): Promise<boolean> {
    return this.expireCommand('EXPIRE', key, seconds, conditions);
  }

  pexpire(key: string, ms: number, conditions: readonly ExpireCondition[] = []): Promise<boolean> {
    return this.expireCommand('PEXPIRE', key, ms, conditions);
  }

  pexpireat(key: string, unixMs: number, conditions: readonly ExpireCondition[] = []): Promise<boolean> {
    return this.expireCommand('PEXPIREAT', key, unixMs, conditions);
  }

  private async expireCommand(
    command: string,
    key: string,
    amount: number,
    conditions: readonly ExpireCondition[],
  ): Promise<boolean> {
    checkExpireConditions(conditions);
    if (!Number.isSafeInteger(amount)) throw new KvUsageError('invalid expire time');
    const flags = conditions.map((c) => c.toUpperCase());
    return (await this.run(this.client.call(command, [toRedis(key), amount, ...flags]))) === 1;
  }

  async persist(key: string): Promise<boolean> {
    return (await this.run(this.client.persist(toRedis(key)))) === 1;
  }

  /** INCRBY, and the result read back as text in the same transaction: ioredis gives integers as JS numbers. */
  async incrby(key: string, by: number | bigint = 1): Promise<bigint> {
    const k = toRedis(key);
    const replies = (await this.run(this.client.multi().incrby(k, BigInt(by).toString()).get(k).exec())) ?? [];
    const [incrErr] = replies[0] ?? [new Error('the transaction was discarded')];
    if (incrErr) throw this.translate(incrErr);
    return BigInt(replies[1]![1] as string);
  }

  /** FLUSHDB on every master: the kv store is the whole database (docs/scale-out.md). */
  async clear(): Promise<void> {
    await Promise.all(this.conn.masters().map((m) => this.run(m.flushdb())));
  }

  async compact(): Promise<void> {
    throw new KvUsageError(
      `${this.redacted} compacts itself (expired keys are reclaimed by Redis; BGREWRITEAOF rewrites its append-only file): nothing to do`,
    );
  }

  async close(): Promise<void> {
    await this.conn.close();
  }

  /** Runs `fn` once per hash slot of `keys` on a cluster (with each group's positions), once in all on a server. */
  private async perSlot(
    keys: readonly string[],
    fn: (group: RedisKey[], indexes: number[]) => Promise<void>,
  ): Promise<void> {
    if (keys.length === 0) return;
    const redisKeys = keys.map(toRedis);
    if (!this.conn.isCluster)
      return fn(
        redisKeys,
        redisKeys.map((_, i) => i),
      );
    await Promise.all(groupBySlot(redisKeys).map((g) => fn(g.keys, g.indexes)));
  }

  /** The sum of an integer-answering command run once per slot group (EXISTS, DEL). */
  private async countPerSlot(
    keys: readonly string[],
    command: (group: RedisKey[]) => Promise<number>,
  ): Promise<number> {
    const counts: number[] = [];
    await this.perSlot(keys, async (group) => {
      counts.push(await this.run(command(group)));
    });
    return counts.reduce((a, b) => a + b, 0);
  }

  /** SCAN over one master, batch by batch (never KEYS, which blocks the server for the whole keyspace). */
  private async *scan(master: ReturnType<RedisConnection['masters']>[number], pattern: string) {
    let cursor = '0';
    do {
      // ioredis types MATCH's pattern as a string; a Buffer is sent as its bytes all the same.
      const match = toRedis(pattern) as string;
      const [next, batch] = await this.run(master.scanBuffer(cursor, 'MATCH', match, 'COUNT', SCAN_COUNT));
      cursor = next.toString();
      if (batch.length > 0) yield batch;
    } while (cursor !== '0');
  }

  /** A command's reply, with Redis's error replies turned into the embedded store's errors and anything else into one line naming the server. */
  private run<T>(reply: Promise<T>): Promise<T> {
    return reply.catch(this.rethrow);
  }

  private readonly rethrow = (err: unknown): never => {
    throw this.translate(err);
  };

  private translate(err: unknown): Error {
    if (err instanceof KvUsageError || err instanceof RedisConnectionError) return err;
    if (err instanceof Error && err.name === 'ReplyError') {
      const message = err.message.replace(/^ERR /, '');
      // MOVED/CLUSTERDOWN and the like are the backend's trouble, not the value's.
      if (/^(CLUSTERDOWN|MOVED|ASK|TRYAGAIN|LOADING|NOAUTH|NOPERM|READONLY|MASTERDOWN)\b/.test(message))
        return new RedisConnectionError(this.redacted, err);
      return new KvValueError(message);
    }
    return new RedisConnectionError(this.redacted, err);
  }
}

/** A key or value as sent: text as UTF-8, a value holding raw bytes (binary-value.ts) as those bytes. */
function toRedis(text: string): RedisKey {
  return isWellFormedKvString(text) ? text : kvStringToBytes(text);
}

function fromRedis(bytes: Buffer | null): string | null {
  return bytes === null ? null : bytesToKvString(bytes);
}

/** The embedded store's order (UTF-16 code units), so `keys` and `items` list the same way on every backend. */
function compareKeys(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Connects (failing fast: a CLI command should not wait for a server that is not there). */
export async function openRedisKv(url: string): Promise<RedisKvStore> {
  return new RedisKvStore(await connectRedis(url, { failFast: true, connectionName: 'esc-kv' }), url);
}
