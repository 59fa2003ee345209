-- One event into its group, all or nothing, so a worker killed at any point never
-- counts an event twice or loses one: the event id is remembered (for `dedupe`
-- seconds) in the same step that counts it. Samples and the threshold window are
-- capped, so a group's memory does not grow with its events. A resolved group
-- regresses only on an event from the version it was resolved in or a later one.
-- KEYS: seen, group, versions, samples, window, all, by-plugin
-- ARGV: now, id, plugin, type, message, version, level, sample, sampleSize, dedupe,
--       threshold events, threshold window s, event id
local now = tonumber(ARGV[1])
local id = ARGV[2]
if redis.call('SET', KEYS[1], '1', 'NX', 'EX', tonumber(ARGV[10])) == false then
  return {'duplicate', redis.call('HGET', KEYS[2], 'triagePending') or '', tonumber(redis.call('HGET', KEYS[2], 'count') or '0')}
end
local fresh = redis.call('EXISTS', KEYS[2]) == 0
if fresh then
  redis.call('HSET', KEYS[2], 'id', id, 'plugin', ARGV[3], 'type', ARGV[4], 'message', ARGV[5], 'level', ARGV[7],
    'status', 'new', 'count', 0, 'firstSeen', now)
end
local count = redis.call('HINCRBY', KEYS[2], 'count', 1)
-- Events per hour over the last day, in a ring of 24 slots: each slot says which hour
-- it counts and is restarted when a new hour reaches it, so the hash stays bounded.
local hour = math.floor(now / 3600000)
local slot = hour % 24
if tonumber(redis.call('HGET', KEYS[2], 'hourAt' .. slot) or '-1') == hour then
  redis.call('HINCRBY', KEYS[2], 'hour' .. slot, 1)
else
  redis.call('HSET', KEYS[2], 'hourAt' .. slot, hour, 'hour' .. slot, 1)
end
redis.call('HSET', KEYS[2], 'lastSeen', now, 'lastVersion', ARGV[6], 'message', ARGV[5], 'level', ARGV[7])
redis.call('SADD', KEYS[3], ARGV[6])
redis.call('LPUSH', KEYS[4], ARGV[8])
redis.call('LTRIM', KEYS[4], 0, tonumber(ARGV[9]) - 1)
local threshold = tonumber(ARGV[11])
local window = tonumber(ARGV[12]) * 1000
redis.call('ZADD', KEYS[5], now, ARGV[13])
redis.call('ZREMRANGEBYRANK', KEYS[5], 0, -(threshold + 1))
redis.call('ZREMRANGEBYSCORE', KEYS[5], '-inf', now - window)
redis.call('ZADD', KEYS[6], now, id)
redis.call('ZADD', KEYS[7], now, id)

local reason = ''
local status = redis.call('HGET', KEYS[2], 'status')
if fresh then
  reason = 'new'
elseif status == 'resolved' then
  local fixed = redis.call('HGET', KEYS[2], 'resolvedIn')
  if fixed and semver_ge(ARGV[6], fixed) then
    redis.call('HSET', KEYS[2], 'status', 'regressed', 'regressedAt', now)
    reason = 'regressed'
  end
elseif status ~= 'ignored' and redis.call('ZCARD', KEYS[5]) >= threshold then
  local last = tonumber(redis.call('HGET', KEYS[2], 'thresholdAt') or '0')
  if now - last >= window then
    redis.call('HSET', KEYS[2], 'thresholdAt', now)
    reason = 'threshold'
  end
end
if reason ~= '' then redis.call('HSET', KEYS[2], 'triagePending', reason) end
return {'counted', reason, count}
