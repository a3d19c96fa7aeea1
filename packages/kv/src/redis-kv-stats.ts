import type { RedisConnection } from '@esc/redis';

/**
 * What a Redis backend can honestly report. Counts come from the servers (DBSIZE, INFO keyspace), so they include
 * keys whose expiry has passed but which Redis has not reclaimed yet (it deletes them lazily and by sampling);
 * there are no files, generations or compactions to describe.
 */
export interface RedisKvStats {
  backend: 'redis' | 'redis-cluster';
  /** The connection string, password hidden. */
  url: string;
  masters: number;
  /** DBSIZE, summed over the masters. */
  liveKeys: number;
  /** INFO keyspace's `expires`, summed over the masters. */
  keysWithTtl: number;
  /** INFO memory's `used_memory`, summed over the masters (the whole server's, not only this database's). */
  usedMemoryBytes: number;
  /** Whether every master writes an append-only file (INFO persistence `aof_enabled`). */
  appendOnly: boolean;
  redisVersion: string;
}

/** Asks every master; the database is the connection's own (`db` of redis://, 0 on a cluster). */
export async function redisStats(conn: RedisConnection, redactedUrl: string): Promise<RedisKvStats> {
  const db = conn.url.kind === 'redis' ? conn.url.db : 0;
  const masters = conn.masters();
  const replies = await Promise.all(
    masters.map(async (m) => {
      const [size, info] = await Promise.all([m.dbsize(), m.info('all')]);
      return { size, info: parseInfo(info) };
    }),
  );
  let liveKeys = 0;
  let keysWithTtl = 0;
  let usedMemoryBytes = 0;
  for (const { size, info } of replies) {
    liveKeys += size;
    keysWithTtl += Number(/(?:^|,)expires=(\d+)/.exec(info.get(`db${db}`) ?? '')?.[1] ?? 0);
    usedMemoryBytes += Number(info.get('used_memory') ?? 0);
  }
  return {
    backend: conn.isCluster ? 'redis-cluster' : 'redis',
    url: redactedUrl,
    masters: masters.length,
    liveKeys,
    keysWithTtl,
    usedMemoryBytes,
    appendOnly: replies.every(({ info }) => info.get('aof_enabled') === '1'),
    redisVersion: replies[0]?.info.get('redis_version') ?? 'unknown',
  };
}

/** INFO's `field:value` lines (section headers and blank lines skipped). */
function parseInfo(text: string): Map<string, string> {
  const fields = new Map<string, string>();
  for (const line of text.split(/\r?\n/)) {
    const colon = line.indexOf(':');
    if (colon > 0 && !line.startsWith('#')) fields.set(line.slice(0, colon), line.slice(colon + 1));
  }
  return fields;
}
