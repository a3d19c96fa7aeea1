import type { RedisConnection } from '@esc/redis';

/** The Redis (or Redis Cluster) that instances of `esc serve --backend` share, and the prefix of esc's keys. */
export interface RedisBackend {
  /** The connection string as given (shown redacted). */
  readonly url: string;
  readonly connection: RedisConnection;
  /** Every key esc's HTTP front-end writes starts with it (default `esc:http`): docs/formats/redis-http.md. */
  readonly prefix: string;
}
