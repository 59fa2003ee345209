-- a >= b for plugin versions (semver: numbers compared as numbers, a pre-release
-- before its release, build metadata ignored); anything that is not a version equals
-- only itself. Prepended to the scripts that use it.
local function semver_ge(a, b)
  local function parts(v)
    local core, pre = string.match(string.gsub(v, '%+.*$', ''), '^v?([%d%.]+)(.*)$')
    if not core then return nil end
    local out = {}
    for n in string.gmatch(core, '%d+') do out[#out + 1] = tonumber(n) end
    return out, pre ~= ''
  end
  local pa, prea = parts(a)
  local pb, preb = parts(b)
  if not pa or not pb then return a == b end
  for i = 1, 3 do
    local x, y = pa[i] or 0, pb[i] or 0
    if x ~= y then return x > y end
  end
  return not prea or preb
end
