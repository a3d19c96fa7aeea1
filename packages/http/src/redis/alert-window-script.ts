import { LuaScript } from './lua-script.js';

/**
 * One rule's sliding window and firing state, updated and judged atomically, so that of all the instances adding
 * matches to the same rule exactly one sees the crossing (and later the resolution) and delivers it. The window
 * is SlidingCount's, in Redis: a sorted set of the `threshold` newest matches (score: time received, member: event
 * id) decides exactly when the count reaches the threshold and falls below it; matches pushed out of it while
 * still in the window are only counted, per 1/64 of the window, in a hash.
 *
 * KEYS: ring (zset), overflow (hash), firing (hash), cooldown (string), all under the rule's hash tag.
 * ARGV: now, window ms, threshold, cooldown ms, bucket ms, firing id, count n, then n pairs (time, event id).
 * Returns [state, count, belowAt, id, startsAt, firstEventId, lastEventId, peak, cooldownUntil]: state is
 * fired (this call started the firing), resolved (this call ended it), firing, cooldown or quiet.
 */
export const ALERT_WINDOW_SCRIPT = new LuaScript(`
local ring, overflow, firing, cooldown = KEYS[1], KEYS[2], KEYS[3], KEYS[4]
local now = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
local threshold = tonumber(ARGV[3])
local cooldownMs = tonumber(ARGV[4])
local bucketMs = tonumber(ARGV[5])
local n = tonumber(ARGV[7])
local edge = now - window
local newest = nil
for i = 0, n - 1 do
  local at = tonumber(ARGV[8 + 2 * i])
  local id = ARGV[9 + 2 * i]
  if at > edge then
    redis.call('ZADD', ring, at, id)
    newest = id
  end
end
if n > 0 then
  while redis.call('ZCARD', ring) > threshold do
    local popped = redis.call('ZPOPMIN', ring)
    local at = tonumber(popped[2])
    if at > edge then redis.call('HINCRBY', overflow, string.format('%d', math.floor(at / bucketMs)), 1) end
  end
  redis.call('PEXPIRE', ring, window + 60000)
  redis.call('PEXPIRE', overflow, window + 60000)
end
redis.call('ZREMRANGEBYSCORE', ring, '-inf', edge)
local count = redis.call('ZCARD', ring)
local buckets = redis.call('HGETALL', overflow)
for i = 1, #buckets, 2 do
  local key = tonumber(buckets[i])
  if (key + 1) * bucketMs - 1 <= edge then redis.call('HDEL', overflow, buckets[i])
  else count = count + tonumber(buckets[i + 1]) end
end
local belowAt = -1
if redis.call('ZCARD', ring) >= threshold then
  local oldest = redis.call('ZRANGE', ring, 0, 0, 'WITHSCORES')
  belowAt = tonumber(oldest[2]) + window
end
local f = redis.call('HMGET', firing, 'id', 'startsAt', 'first', 'last', 'peak')
if f[1] then
  local peak = tonumber(f[5])
  local last = f[4]
  if newest then last = newest end
  if count >= threshold then
    if count > peak then peak = count end
    redis.call('HSET', firing, 'last', last, 'peak', peak)
    return {'firing', count, belowAt, f[1], tonumber(f[2]), f[3], last, peak, 0}
  end
  redis.call('DEL', firing)
  if cooldownMs > 0 then redis.call('SET', cooldown, '1', 'PX', cooldownMs) end
  return {'resolved', count, belowAt, f[1], tonumber(f[2]), f[3], last, peak, now + cooldownMs}
end
if count < threshold then return {'quiet', count, belowAt, '', 0, '', '', 0, 0} end
local ttl = redis.call('PTTL', cooldown)
if ttl > 0 then return {'cooldown', count, belowAt, '', 0, '', '', 0, now + ttl} end
local first = redis.call('ZRANGE', ring, 0, 0)[1]
local last = redis.call('ZRANGE', ring, -1, -1)[1]
redis.call('HSET', firing, 'id', ARGV[6], 'startsAt', now, 'first', first, 'last', last, 'peak', count)
return {'fired', count, belowAt, ARGV[6], now, first, last, count, 0}
`);

/** Ends a firing of a rule that was changed or removed (whoever deletes it delivers the resolution). */
export const ALERT_RETIRE_SCRIPT = new LuaScript(`
local f = redis.call('HMGET', KEYS[1], 'id', 'startsAt', 'first', 'last', 'peak')
if not f[1] then return false end
redis.call('DEL', KEYS[1])
return {f[1], tonumber(f[2]), f[3], f[4], tonumber(f[5])}
`);
