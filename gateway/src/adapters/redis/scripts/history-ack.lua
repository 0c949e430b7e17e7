-- history-ack: record a channel-level cumulative ack (used by the unacked-overflow policy of
-- session channels). Monotonic, and only for the current epoch and seqs that exist.
--
-- KEYS[1] meta hash <prefix>{ch:<channel>}:meta
-- ARGV[1] epoch the ack refers to
-- ARGV[2] acked seq
-- Returns 1 when stored, 0 when ignored (other epoch, lower than stored, or beyond top).

if redis.call('HGET', KEYS[1], 'epoch') ~= ARGV[1] then return 0 end
local seq = tonumber(ARGV[2])
local top = tonumber(redis.call('HGET', KEYS[1], 'top') or '0')
local acked = tonumber(redis.call('HGET', KEYS[1], 'acked') or '0')
if seq > top or seq <= acked then return 0 end
redis.call('HSET', KEYS[1], 'acked', seq)
return 1
