import { LuaScript } from './lua-script.js';

/**
 * One rule's sliding window and firing state, updated and judged atomically, so that of all the instances adding
 * matches to the same rule exactly one sees the crossing (and later the resolution) and delivers it. The window
 * is SlidingCount's, in Redis: a sorted set of the `threshold` newest matches (score: time received, member: event
 * id) decides exactly when the count reaches the threshold and falls below it (judged match by match, so a firing
 * carries the count that crossed, the threshold); matches pushed out of it while
 * still in the window are only counted, per 1/64 of the window, in a hash.
 *
 * KEYS: ring (zset), overflow (hash), firing (hash), cooldown (string), match counter, under the rule's hash tag.
 * ARGV: now, window ms, threshold, cooldown ms, bucket ms, firing id, count n, then n pairs (time, event id).
 * Returns [state, count, belowAt, id, startsAt, firstEventId, lastEventId, peak, cooldownUntil]: state is
 * fired (this call started the firing), resolved (this call ended it), firing, cooldown or quiet.
 */
export const ALERT_WINDOW_SCRIPT = new LuaScript(`
local ring, overflow, firing, cooldown, seq = KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5]
local now = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
local threshold = tonumber(ARGV[3])
local cooldownMs = tonumber(ARGV[4])
local bucketMs = tonumber(ARGV[5])
local n = tonumber(ARGV[7])
-- Scores are time x 1024 + a per-rule counter: matches of one millisecond keep their order.
local function count(at)
  local edge = at - window
  redis.call('ZREMRANGEBYSCORE', ring, '-inf', edge * 1024 + 1023)
  local c = redis.call('ZCARD', ring)
  local buckets = redis.call('HGETALL', overflow)
  for i = 1, #buckets, 2 do
    if (tonumber(buckets[i]) + 1) * bucketMs - 1 <= edge then redis.call('HDEL', overflow, buckets[i])
    else c = c + tonumber(buckets[i + 1]) end
  end
  return c
end
local f = redis.call('HMGET', firing, 'id', 'startsAt', 'first', 'last', 'peak')
local state = 'quiet'
if f[1] then state = 'firing' end
-- The cooldown's end in the instances' clock (the key's own expiry only cleans up).
local cooling = tonumber(redis.call('GET', cooldown) or 0) - now
local peak = tonumber(f[5] or 0)
for i = 0, n - 1 do
  local at = tonumber(ARGV[8 + 2 * i])
  local id = ARGV[9 + 2 * i]
  if at > now - window then
    local k = redis.call('INCR', seq) % 1024
    redis.call('ZADD', ring, at * 1024 + k, id)
    while redis.call('ZCARD', ring) > threshold do
      local popped = redis.call('ZPOPMIN', ring)
      local t = math.floor(tonumber(popped[2]) / 1024)
      if t > now - window then redis.call('HINCRBY', overflow, string.format('%d', math.floor(t / bucketMs)), 1) end
    end
    local c = count(now)
    -- Judged match by match, as the in-memory engine: the firing carries the count that crossed the threshold.
    if state == 'quiet' and cooling <= 0 and c >= threshold then
      state = 'fired'
      f = {ARGV[6], now, redis.call('ZRANGE', ring, 0, 0)[1], id, c}
      peak = c
      redis.call('HSET', firing, 'id', f[1], 'startsAt', now, 'first', f[3], 'last', id, 'peak', c)
    elseif state ~= 'quiet' then
      f[4] = id
      if c > peak then peak = c end
    end
  end
end
if n > 0 then
  redis.call('PEXPIRE', ring, window + 60000)
  redis.call('PEXPIRE', overflow, window + 60000)
  redis.call('PEXPIRE', seq, window + 60000)
end
local c = count(now)
-- A cooldown that ended with the count still at the threshold: the rule fires now.
if state == 'quiet' and cooling <= 0 and c >= threshold then
  state = 'fired'
  f = {ARGV[6], now, redis.call('ZRANGE', ring, 0, 0)[1], redis.call('ZRANGE', ring, -1, -1)[1], c}
  peak = c
  redis.call('HSET', firing, 'id', f[1], 'startsAt', now, 'first', f[3], 'last', f[4], 'peak', c)
end
local belowAt = -1
if redis.call('ZCARD', ring) >= threshold then
  local oldest = redis.call('ZRANGE', ring, 0, 0, 'WITHSCORES')
  belowAt = math.floor(tonumber(oldest[2]) / 1024) + window
end
if state == 'fired' then
  redis.call('HSET', firing, 'last', f[4], 'peak', peak)
  return {'fired', f[5], belowAt, f[1], now, f[3], f[4], peak, 0}
end
if state == 'firing' then
  if c >= threshold then
    if c > peak then peak = c end
    redis.call('HSET', firing, 'last', f[4], 'peak', peak)
    return {'firing', c, belowAt, f[1], tonumber(f[2]), f[3], f[4], peak, 0}
  end
  redis.call('DEL', firing)
  if cooldownMs > 0 then redis.call('SET', cooldown, now + cooldownMs, 'PX', cooldownMs + 60000) end
  return {'resolved', c, belowAt, f[1], tonumber(f[2]), f[3], f[4], peak, now + cooldownMs}
end
if c >= threshold and cooling > 0 then return {'cooldown', c, belowAt, '', 0, '', '', 0, now + cooling} end
return {'quiet', c, belowAt, '', 0, '', '', 0, 0}
`);

/** Ends a firing of a rule that was changed or removed (whoever deletes it delivers the resolution). */
export const ALERT_RETIRE_SCRIPT = new LuaScript(`
local f = redis.call('HMGET', KEYS[1], 'id', 'startsAt', 'first', 'last', 'peak')
if not f[1] then return false end
redis.call('DEL', KEYS[1])
return {f[1], tonumber(f[2]), f[3], f[4], tonumber(f[5])}
`);
