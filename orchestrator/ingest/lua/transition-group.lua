-- Moves a group to a new status if its current one is among those allowed to lead
-- there, in one step, so two writers never both act on the same old status.
-- KEYS: group   ARGV: to, resolvedIn ('' for none), allowed from-statuses...
-- Returns {outcome, from}: outcome is 'moved', 'same', 'refused' or 'missing'.
local from = redis.call('HGET', KEYS[1], 'status')
if not from then return {'missing', ''} end
if from == ARGV[1] then
  if ARGV[2] ~= '' then redis.call('HSET', KEYS[1], 'resolvedIn', ARGV[2]) end
  return {'same', from}
end
for i = 3, #ARGV do
  if ARGV[i] == from then
    redis.call('HSET', KEYS[1], 'status', ARGV[1], 'statusAt', redis.call('TIME')[1])
    if ARGV[2] ~= '' then redis.call('HSET', KEYS[1], 'resolvedIn', ARGV[2]) end
    return {'moved', from}
  end
end
return {'refused', from}
