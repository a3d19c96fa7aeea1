export { parseRedisUrl, isRedisUrl, redactUrl, RedisUrlError, type RedisUrl } from './redis-url.js';
export {
  connectRedis,
  RedisConnectionError,
  type RedisConnection,
  type RedisConnectOptions,
} from './redis-connection.js';
export { keySlot, groupBySlot } from './key-slot.js';
