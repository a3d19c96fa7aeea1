import { type RedisTestCluster, type RedisTestServer, startRedis, startRedisCluster } from '@esc/test-fixtures';
import { afterAll, beforeAll } from 'vitest';
import { openKv, type KeyValueStore, type KvOptions } from '../index.js';
import { tempStore } from './temp-store.js';

/** The backends every kv behaviour test runs on (`describe.each(KV_BACKENDS)`). */
export const KV_BACKENDS = ['embedded', 'redis', 'redis-cluster'] as const;
type KvBackendName = (typeof KV_BACKENDS)[number];

export interface KvBackend {
  /** A store on `name`, empty; `options` (a clock, file settings) reach the embedded store only. */
  open(name: KvBackendName, options?: KvOptions): Promise<{ kv: KeyValueStore; target: string }>;
  /** The connection string (or file) of `name`, for a second store on the same data. */
  target(name: KvBackendName): string;
  /** An empty store on `name` for a child process (`esc kv --store TARGET`): a new temp file, or a flushed database. */
  fresh(name: KvBackendName): Promise<string>;
  /** The temp dir of the embedded store `fresh` or `open` made last. */
  dir(): string;
}

/**
 * One redis-server and one Redis Cluster (3 masters, a replica each) for the whole test file, started before its
 * tests and stopped after; every embedded store in a temp dir removed. `open` empties the Redis database first
 * (tests on one backend run one after another), so each test starts from an empty store on every backend.
 */
export function useKvBackends(): KvBackend {
  let server: RedisTestServer | undefined;
  let cluster: RedisTestCluster | undefined;
  const stores: ReturnType<typeof tempStore>[] = [];
  const opened: KeyValueStore[] = [];
  beforeAll(async () => {
    [server, cluster] = await Promise.all([startRedis(), startRedisCluster()]);
  }, 180_000);
  afterAll(async () => {
    await Promise.allSettled(opened.map((kv) => kv.close()));
    await Promise.all([server?.stop(), cluster?.stop()]);
    for (const store of stores) store.cleanup();
  });
  const target = (name: KvBackendName): string => {
    if (name === 'redis') return server!.url;
    if (name === 'redis-cluster') return cluster!.url;
    return stores.at(-1)!.path;
  };
  return {
    target,
    dir: () => stores.at(-1)!.dir,
    fresh: async (name) => {
      if (name === 'embedded') stores.push(tempStore());
      else {
        const kv = await openKv(target(name));
        await kv.clear();
        await kv.close();
      }
      return target(name);
    },
    open: async (name, options = {}) => {
      if (name === 'embedded') stores.push(tempStore());
      const kv = await openKv(target(name), options);
      opened.push(kv);
      if (name !== 'embedded') await kv.clear();
      return { kv, target: target(name) };
    },
  };
}
