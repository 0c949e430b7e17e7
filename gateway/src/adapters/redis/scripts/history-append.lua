-- history-append: append one message to a channel's history and publish it live, atomically.
-- Idempotent per source position: a source id already in the channel's dedupe set returns the
-- existing seq and publishes nothing. All keys share the hash tag {ch:<channel>} (Redis Cluster).
--
-- KEYS[1] meta hash   <prefix>{ch:<channel>}:meta   fields: epoch, top, acked
-- KEYS[2] log stream  <prefix>{ch:<channel>}:log    entry id <seq>-0, field m = message JSON
-- KEYS[3] dedupe zset <prefix>{ch:<channel>}:src    member source id, score seq
-- ARGV[1] live channel name (same hash tag) for the publish
-- ARGV[2] epoch to use when the channel has none (history new or lost)
-- ARGV[3] source id <topic>-<partition>-<offset>
-- ARGV[4] message JSON
-- ARGV[5] max entries kept (count cap)
-- ARGV[6] TTL seconds of the entries (log), refreshed on every append
-- ARGV[7] dedupe window: how many most recent seqs keep their source id (>= ARGV[5])
-- ARGV[8] '1' = reject with 'overflow' when full and the oldest entry is newer than the channel ack
-- ARGV[9] publish command: SPUBLISH (sharded) or PUBLISH
-- ARGV[10] TTL seconds of meta (epoch, top) and dedupe, >= ARGV[6]: an idle channel's entries
--          expire but its epoch and seq survive, so an up-to-date client is not told it lost anything
-- Returns {status, seq, epoch}: status 'appended' | 'duplicate' | 'overflow'.
-- Published payload: '<seq>:<epoch>:<message JSON>'.

local epoch = redis.call('HGET', KEYS[1], 'epoch')
local top = 0
if not epoch then
  epoch = ARGV[2]
  -- leftovers of a lost epoch must never mix with the new one
  redis.call('DEL', KEYS[2], KEYS[3])
  redis.call('HSET', KEYS[1], 'epoch', epoch, 'top', 0)
else
  top = tonumber(redis.call('HGET', KEYS[1], 'top') or '0')
  local existing = redis.call('ZSCORE', KEYS[3], ARGV[3])
  if existing then
    return {'duplicate', tonumber(existing), epoch}
  end
end

local maxLen = tonumber(ARGV[5])
if ARGV[8] == '1' and redis.call('XLEN', KEYS[2]) >= maxLen then
  local acked = tonumber(redis.call('HGET', KEYS[1], 'acked') or '0')
  local first = redis.call('XRANGE', KEYS[2], '-', '+', 'COUNT', 1)[1]
  if first and tonumber(string.match(first[1], '^(%d+)')) > acked then
    return {'overflow', top, epoch}
  end
end

local seq = top + 1
redis.call('XADD', KEYS[2], 'MAXLEN', maxLen, seq .. '-0', 'm', ARGV[4])
redis.call('HSET', KEYS[1], 'top', seq)
redis.call('ZADD', KEYS[3], seq, ARGV[3])
local window = tonumber(ARGV[7])
if seq > window then
  redis.call('ZREMRANGEBYSCORE', KEYS[3], '-inf', seq - window)
end
local metaTtl = tonumber(ARGV[10])
redis.call('EXPIRE', KEYS[1], metaTtl)
redis.call('EXPIRE', KEYS[2], tonumber(ARGV[6]))
redis.call('EXPIRE', KEYS[3], metaTtl)
redis.call(ARGV[9], ARGV[1], seq .. ':' .. epoch .. ':' .. ARGV[4])
return {'appended', seq, epoch}
