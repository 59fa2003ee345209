-- Deletes one plugin's traffic, every version's reservoir with the seen counts, in one
-- step: a call recorded meanwhile lands wholly before (and is deleted) or wholly after
-- (and starts afresh), never as a reservoir whose version no count names.
-- The reservoirs' keys are made here from the versions the seen hash holds, since
-- only this step can read them and delete them together.
-- KEYS: seen (hash), plugins (set)   ARGV: plugin, prefix of the reservoirs' keys
-- Returns the number of keys deleted.
local removed = 0
for _, version in ipairs(redis.call('HKEYS', KEYS[1])) do
  removed = removed + redis.call('DEL', ARGV[2] .. version)
end
removed = removed + redis.call('DEL', KEYS[1])
redis.call('SREM', KEYS[2], ARGV[1])
return removed
