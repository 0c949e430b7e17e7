-- publish-claim: claim a client publish id for a session, or return the earlier outcome.
--
-- KEYS[1] <prefix>{pub:<sessionId>}:<id>   value 'pending' or the result JSON
-- ARGV[1] TTL seconds
-- Returns 'new' (claimed now; the caller produces, then stores the result) or the stored value.

if redis.call('SET', KEYS[1], 'pending', 'NX', 'EX', tonumber(ARGV[1])) then
  return 'new'
end
return redis.call('GET', KEYS[1])
