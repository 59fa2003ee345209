-- Clears a group's triage debt once its triage job is safely queued, unless another
-- reason replaced it meanwhile.
-- KEYS: group   ARGV: reason
if redis.call('HGET', KEYS[1], 'triagePending') == ARGV[1] then redis.call('HDEL', KEYS[1], 'triagePending') end
return 1
