-- history-read: a channel's window (epoch, top, oldest, acked) and the entries after a seq, read
-- atomically so entries and epoch always belong together. Creates the epoch when the channel
-- has none, so a client can pin the epoch before the first message exists.
--
-- KEYS[1] meta hash   <prefix>{ch:<channel>}:meta
-- KEYS[2] log stream  <prefix>{ch:<channel>}:log
-- ARGV[1] epoch to use when the channel has none
-- ARGV[2] TTL seconds for a newly created meta hash (the meta TTL)
-- ARGV[3] after: return entries with seq > after
-- ARGV[4] limit: at most this many entries (0 = window only)
-- Returns {epoch, top, oldest, acked, id1, msg1, id2, msg2, ...}; oldest = top + 1 when empty;
-- acked = the channel ack of history-ack.lua (0 when none).

local epoch = redis.call('HGET', KEYS[1], 'epoch')
if not epoch then
  epoch = ARGV[1]
  redis.call('DEL', KEYS[2])
  redis.call('HSET', KEYS[1], 'epoch', epoch, 'top', 0)
  redis.call('EXPIRE', KEYS[1], tonumber(ARGV[2]))
end
local top = tonumber(redis.call('HGET', KEYS[1], 'top') or '0')
local oldest = top + 1
local first = redis.call('XRANGE', KEYS[2], '-', '+', 'COUNT', 1)[1]
if first then
  oldest = tonumber(string.match(first[1], '^(%d+)'))
end
local acked = tonumber(redis.call('HGET', KEYS[1], 'acked') or '0')
local result = {epoch, top, oldest, acked}
local limit = tonumber(ARGV[4])
if limit > 0 then
  local entries = redis.call('XRANGE', KEYS[2], '(' .. ARGV[3] .. '-0', '+', 'COUNT', limit)
  for _, entry in ipairs(entries) do
    table.insert(result, entry[1])
    table.insert(result, entry[2][2])
  end
end
return result
