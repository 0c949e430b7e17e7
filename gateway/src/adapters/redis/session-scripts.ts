/**
 * Lua scripts of the Redis session store. Each touches only keys of ONE session (hash tag
 * `{<sessionId>}`), so it is atomic and runs unchanged on Redis Cluster.
 * Session hash fields: customerId, rooms (JSON), state (created|registered|revoked), createdAt,
 * expiresAt, ttlMs, holderNode, holderConn. The key lives until expiresAt + tombstoneMs.
 * Scripts that answer a session return HGETALL's flat field/value list.
 */

/** KEYS[1]=session. ARGV: customerId, roomsJson, now, ttlMs, tombstoneMs. → 'created' | 'exists' */
export const createSession = `
if redis.call('EXISTS', KEYS[1]) == 1 then return 'exists' end
local now, ttl = tonumber(ARGV[3]), tonumber(ARGV[4])
redis.call('HSET', KEYS[1], 'customerId', ARGV[1], 'rooms', ARGV[2], 'state', 'created',
  'createdAt', now, 'expiresAt', now + ttl, 'ttlMs', ttl)
redis.call('PEXPIRE', KEYS[1], ttl + tonumber(ARGV[5]))
return 'created'
`;

/** KEYS[1]=session, KEYS[2]=acks. ARGV: now, tombstoneMs. → 'not_found' | 'revoked' | 'expired' | fields */
export const registerSession = `
if redis.call('EXISTS', KEYS[1]) == 0 then return 'not_found' end
local state = redis.call('HGET', KEYS[1], 'state')
if state == 'revoked' then return 'revoked' end
local now = tonumber(ARGV[1])
if tonumber(redis.call('HGET', KEYS[1], 'expiresAt')) <= now then return 'expired' end
local ttl = tonumber(redis.call('HGET', KEYS[1], 'ttlMs'))
redis.call('HSET', KEYS[1], 'state', 'registered', 'expiresAt', now + ttl)
redis.call('PEXPIRE', KEYS[1], ttl + tonumber(ARGV[2]))
if redis.call('EXISTS', KEYS[2]) == 1 then redis.call('PEXPIRE', KEYS[2], ttl + tonumber(ARGV[2])) end
return redis.call('HGETALL', KEYS[1])
`;

/**
 * KEYS[1]=session, KEYS[2]=acks. ARGV: customerId, roomsJson, now, ttlMs, tombstoneMs, allowNew.
 * Existing live session: updated and extended. New or expired: created registered unless
 * allowNew is '0' (capacity). → 'revoked' | 'capacity' | fields
 */
export const registerClaims = `
local now, ttl, tomb = tonumber(ARGV[3]), tonumber(ARGV[4]), tonumber(ARGV[5])
local exists = redis.call('EXISTS', KEYS[1]) == 1
if exists and redis.call('HGET', KEYS[1], 'state') == 'revoked' then return 'revoked' end
local live = exists and tonumber(redis.call('HGET', KEYS[1], 'expiresAt')) > now
if not live then
  if ARGV[6] == '0' then return 'capacity' end
  redis.call('DEL', KEYS[1], KEYS[2])
  redis.call('HSET', KEYS[1], 'createdAt', now)
end
redis.call('HSET', KEYS[1], 'customerId', ARGV[1], 'rooms', ARGV[2], 'state', 'registered',
  'expiresAt', now + ttl, 'ttlMs', ttl)
redis.call('PEXPIRE', KEYS[1], ttl + tomb)
if redis.call('EXISTS', KEYS[2]) == 1 then redis.call('PEXPIRE', KEYS[2], ttl + tomb) end
return redis.call('HGETALL', KEYS[1])
`;

/** KEYS[1]=session, KEYS[2]=acks. ARGV: now, tombstoneMs. → new expiresAt, or 0 when not live */
export const refreshSession = `
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
if redis.call('HGET', KEYS[1], 'state') == 'revoked' then return 0 end
local now = tonumber(ARGV[1])
if tonumber(redis.call('HGET', KEYS[1], 'expiresAt')) <= now then return 0 end
local ttl = tonumber(redis.call('HGET', KEYS[1], 'ttlMs'))
redis.call('HSET', KEYS[1], 'expiresAt', now + ttl)
redis.call('PEXPIRE', KEYS[1], ttl + tonumber(ARGV[2]))
if redis.call('EXISTS', KEYS[2]) == 1 then redis.call('PEXPIRE', KEYS[2], ttl + tonumber(ARGV[2])) end
return now + ttl
`;

/** KEYS[1]=session. ARGV: tombstoneMs. → false when unknown, else {holderNode, holderConn} ('' when none) */
export const revokeSession = `
if redis.call('EXISTS', KEYS[1]) == 0 then return false end
local holder = redis.call('HMGET', KEYS[1], 'holderNode', 'holderConn')
redis.call('HSET', KEYS[1], 'state', 'revoked')
redis.call('HDEL', KEYS[1], 'holderNode', 'holderConn')
local tomb = tonumber(ARGV[1])
if redis.call('PTTL', KEYS[1]) < tomb then redis.call('PEXPIRE', KEYS[1], tomb) end
return {holder[1] or '', holder[2] or ''}
`;

/** KEYS[1]=session. ARGV: node, connId. → previous {holderNode, holderConn} ('' when none), false when unknown */
export const claimHolder = `
if redis.call('EXISTS', KEYS[1]) == 0 then return false end
local prev = redis.call('HMGET', KEYS[1], 'holderNode', 'holderConn')
redis.call('HSET', KEYS[1], 'holderNode', ARGV[1], 'holderConn', ARGV[2])
return {prev[1] or '', prev[2] or ''}
`;

/** KEYS[1]=session. ARGV: connId. Clears the holder only if it is still connId. */
export const releaseHolder = `
if redis.call('HGET', KEYS[1], 'holderConn') == ARGV[1] then
  redis.call('HDEL', KEYS[1], 'holderNode', 'holderConn')
end
return 1
`;

/** KEYS[1]=session, KEYS[2]=acks. ARGV: channel, seq. Never lowers; acks expire with the session. */
export const saveAck = `
local pttl = redis.call('PTTL', KEYS[1])
if pttl < 0 then return 0 end
local cur = redis.call('HGET', KEYS[2], ARGV[1])
if (not cur) or tonumber(cur) < tonumber(ARGV[2]) then redis.call('HSET', KEYS[2], ARGV[1], ARGV[2]) end
redis.call('PEXPIRE', KEYS[2], pttl)
return 1
`;
