import { LuaScript } from './lua-script.js';

/**
 * Appends a chunk of events to one partition, atomically: each event gets the next stream ID of the partition's
 * clock (ms from the instance's clock, never going back; sequence numbers ≡ partition mod partitions, at most
 * 2048 per ms, borrowing the next ms past that) and is added under that ID to the partition's all-events stream
 * and to its level's and its service's streams, each trimmed by MINID to the retention.
 *
 * KEYS: all, clock, levels set, services set, then the level and service streams the events name.
 * ARGV: now ms, partitions, partition, minid, count, then per event: level key index, service key index (into
 * KEYS), level, service, event JSON. Returns the IDs given.
 */
export const APPEND_SCRIPT = new LuaScript(`
local clock = redis.call('GET', KEYS[2])
local now = tonumber(ARGV[1])
local step = tonumber(ARGV[2])
local first = tonumber(ARGV[3])
local minid = ARGV[4]
local n = tonumber(ARGV[5])
local ms, seq = now, first
if clock then
  local dash = string.find(clock, '-', 1, true)
  local lastMs = tonumber(string.sub(clock, 1, dash - 1))
  local lastSeq = tonumber(string.sub(clock, dash + 1))
  if lastMs >= now then
    ms = lastMs
    seq = lastSeq + step
  end
end
local ids = {}
local named = {}
local at = 6
for i = 1, n do
  if seq >= 2048 then
    ms = ms + 1
    seq = first
  end
  local id = string.format('%d-%d', ms, seq)
  local e = ARGV[at + 4]
  redis.call('XADD', KEYS[1], 'MINID', '~', minid, id, 'e', e)
  redis.call('XADD', KEYS[tonumber(ARGV[at])], 'MINID', '~', minid, id, 'e', e)
  redis.call('XADD', KEYS[tonumber(ARGV[at + 1])], 'MINID', '~', minid, id, 'e', e)
  if not named[ARGV[at]] then
    named[ARGV[at]] = true
    redis.call('SADD', KEYS[3], ARGV[at + 2])
  end
  if not named[ARGV[at + 1]] then
    named[ARGV[at + 1]] = true
    redis.call('SADD', KEYS[4], ARGV[at + 3])
  end
  ids[i] = id
  seq = seq + step
  at = at + 5
end
redis.call('SET', KEYS[2], string.format('%d-%d', ms, seq - step))
return ids
`);
