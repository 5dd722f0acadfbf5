-- Shared by the scripts that change a staging index, so each keeps the workspace's usage hash
-- (fields `files` and `bytes`) in step with the entries it writes. An entry counts one file, and
-- its size in bytes unless it stages a removal. Usage covers the stage and, while a commit runs,
-- the snapshot the commit was built from; landing the commit subtracts the snapshot.
-- @include staged-entry.lua
local function weight(value)
  if not value then return 0, 0 end
  local status, _, size = entryFields(value)
  if status == nil or status == 'r' then return 1, 0 end
  return 1, size or 0
end
local function addUsage(key, files, bytes)
  if files ~= 0 then redis.call('HINCRBY', key, 'files', files) end
  if bytes ~= 0 then redis.call('HINCRBY', key, 'bytes', bytes) end
end
-- The usage change of setting the pairs ARGV[from .. to] and deleting ARGV[to + 1 .. #ARGV] in a hash.
local function usageDelta(hash, from, to)
  local paths = {}
  for i = from, to, 2 do paths[#paths + 1] = ARGV[i] end
  for i = to + 1, #ARGV do paths[#paths + 1] = ARGV[i] end
  local files, bytes = 0, 0
  for i = 1, #paths, 1000 do
    local old = redis.call('HMGET', hash, unpack(paths, i, math.min(i + 999, #paths)))
    for j = 1, #old do
      local f, b = weight(old[j])
      files, bytes = files - f, bytes - b
    end
  end
  for i = from, to, 2 do
    local f, b = weight(ARGV[i + 1])
    files, bytes = files + f, bytes + b
  end
  return files, bytes
end
-- Sets the pairs ARGV[from .. to] and deletes the paths after them; when report is true, returns the deleted paths
-- that were there.
local function writeEntries(hash, from, to, report)
  for i = from, to, 2000 do
    redis.call('HSET', hash, unpack(ARGV, i, math.min(i + 1999, to)))
  end
  local deleted = {}
  if report then
    for i = to + 1, #ARGV do
      if redis.call('HDEL', hash, ARGV[i]) == 1 then deleted[#deleted + 1] = ARGV[i] end
    end
  else
    for i = to + 1, #ARGV, 1000 do redis.call('HDEL', hash, unpack(ARGV, i, math.min(i + 999, #ARGV))) end
  end
  return deleted
end
