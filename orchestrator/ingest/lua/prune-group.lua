-- Deletes a group with its versions, samples and window when its status is one of
-- those given and no event has touched it since the cut-off; an event that arrived
-- meanwhile keeps it.
-- KEYS: group, versions, samples, window, all, by-plugin   ARGV: id, before (ms), statuses...
local status = redis.call('HGET', KEYS[1], 'status')
local seen = tonumber(redis.call('HGET', KEYS[1], 'lastSeen') or '0')
if not status then redis.call('ZREM', KEYS[5], ARGV[1]) return 1 end
for i = 3, #ARGV do
  if status == ARGV[i] and seen < tonumber(ARGV[2]) then
    redis.call('DEL', KEYS[1], KEYS[2], KEYS[3], KEYS[4])
    redis.call('ZREM', KEYS[5], ARGV[1])
    redis.call('ZREM', KEYS[6], ARGV[1])
    return 1
  end
end
return 0
