-- One successful call offered to its plugin version's reservoir (Algorithm R) in one
-- step, so hosts sampling the same plugin at once never count a call twice nor fill
-- one slot with two samples. The first `size` calls fill the reservoir; call n after
-- that replaces a random slot with probability size/n, so every call a version ever
-- served is equally likely to be among those kept, however long it runs.
-- The random number comes from the caller: Redis before 7 seeds math.random alike on
-- every call (scripts had to replicate deterministically), so it would always draw
-- the same slot.
-- A reservoir longer than `size` (the config shrank) is cut to it first; one shorter
-- (the config grew) is filled by the next calls.
-- The caller may bring the calls it skipped itself since its last word with Redis
-- (`skipped`): they are counted before this one, which comes after them.
-- KEYS: samples (list), seen (hash: version -> calls offered), plugins (set)
-- ARGV: version, plugin, sample, size, a uniform random number in [0, 1), skipped
local seen = redis.call('HINCRBY', KEYS[2], ARGV[1], 1 + tonumber(ARGV[6]))
redis.call('SADD', KEYS[3], ARGV[2])
local size = tonumber(ARGV[4])
local kept = redis.call('LLEN', KEYS[1])
if kept > size then
  redis.call('LTRIM', KEYS[1], 0, size - 1)
  kept = size
end
if kept < size then
  redis.call('RPUSH', KEYS[1], ARGV[3])
  return {'kept', seen}
end
local slot = math.floor(tonumber(ARGV[5]) * seen)
if slot < size then
  redis.call('LSET', KEYS[1], slot, ARGV[3])
  return {'kept', seen}
end
return {'skipped', seen}
