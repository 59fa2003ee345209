-- Moves a group to a new status if its current one is among those allowed to lead
-- there, in one step, so two writers never both act on the same old status.
-- KEYS: group   ARGV: to, resolvedIn ('' for none), needs-human ('1' marks the group
-- as waiting on a person, '' leaves the mark), allowed from-statuses...
-- A run's start, a resolution or an ignore clears the mark.
-- Returns {outcome, from}: outcome is 'moved', 'same', 'refused' or 'missing'.
local from = redis.call('HGET', KEYS[1], 'status')
if not from then return {'missing', ''} end
local function marks()
  if ARGV[2] ~= '' then redis.call('HSET', KEYS[1], 'resolvedIn', ARGV[2]) end
  if ARGV[3] == '1' then
    redis.call('HSET', KEYS[1], 'needsHumanAt', redis.call('TIME')[1])
  elseif ARGV[1] == 'in-progress' or ARGV[1] == 'resolved' or ARGV[1] == 'ignored' then
    redis.call('HDEL', KEYS[1], 'needsHumanAt')
  end
end
if from == ARGV[1] then
  marks()
  return {'same', from}
end
for i = 4, #ARGV do
  if ARGV[i] == from then
    redis.call('HSET', KEYS[1], 'status', ARGV[1], 'statusAt', redis.call('TIME')[1])
    marks()
    return {'moved', from}
  end
end
return {'refused', from}
