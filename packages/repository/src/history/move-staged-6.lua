-- Moves one HSCAN batch of entries from one staging hash to another, keeping the workspace's
-- usage (which counts both hashes) right: a commit's snapshot given back to the stage after it
-- did not land (an entry staged again meanwhile wins), or a stage merged into the snapshot of an
-- earlier attempt (the stage's entry wins). A batch at a time, so a stage of millions never blocks
-- Redis for seconds; each batch is atomic, and a move cut short leaves every entry in one of the
-- two hashes, which the next commit's snapshot merges again.
--
-- KEYS[1]  the hash entries leave
-- KEYS[2]  the hash they join
-- KEYS[3]  usage hash of the workspace: an entry dropped for another leaves it
-- KEYS[4]  directory counts of KEYS[1], KEYS[5] those of KEYS[2] (redis/staged-dirs.lua)
-- KEYS[6]  the workspace's commit lock
-- ARGV[1]  HSCAN cursor, ARGV[2] its COUNT
-- ARGV[3]  "keep" when an entry already in KEYS[2] wins, "replace" when the moved one does
-- ARGV[4]  this run's lock value: a run whose lock another run took over moves nothing (the
--          snapshot is that run's now)
-- Returns the next cursor; "0" once the scan went round (or at once for a run taken over).
-- @include ../redis/usage.lua
-- @include ../redis/staged-dirs.lua
local lock = redis.call('GET', KEYS[6])
if lock and lock ~= ARGV[4] then return '0' end
local scan = redis.call('HSCAN', KEYS[1], ARGV[1], 'COUNT', ARGV[2])
local found = scan[2]
local left, joined = {}, {}
for i = 1, #found, 2 do
  local path, entry = found[i], found[i + 1]
  if live(entry) then countDirs(left, path, -1) end
  if ARGV[3] == 'keep' then
    if redis.call('HSETNX', KEYS[2], path, entry) == 0 then
      local f, b = weight(entry)
      addUsage(KEYS[3], -f, -b)
    elseif live(entry) then
      countDirs(joined, path, 1)
    end
  else
    local old = redis.call('HGET', KEYS[2], path)
    local f, b = weight(old)
    addUsage(KEYS[3], -f, -b)
    if live(old) then countDirs(joined, path, -1) end
    if live(entry) then countDirs(joined, path, 1) end
    redis.call('HSET', KEYS[2], path, entry)
  end
  redis.call('HDEL', KEYS[1], path)
end
flushDirs(KEYS[4], left)
flushDirs(KEYS[5], joined)
return scan[1]
