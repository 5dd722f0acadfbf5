-- Applies one staging step (an ingest job's, atomically with its result; stage-by-hash's, with
-- none) to a workspace's staging index, so a retried job finds its result and re-applies nothing;
-- a crash never leaves half a batch staged.
-- The workspace's quotas are checked in the same step, so concurrent jobs cannot overrun them.
--
-- KEYS[1]  workspaces hash of the repository (workspace id -> record)
-- KEYS[2]  staging hash of the workspace (path -> StagedEntry JSON)
-- KEYS[3]  job result key (not read when ARGV[3] is 0)
-- KEYS[4]  usage hash of the workspace (files, bytes)
-- KEYS[5]  content hashes the repository references (set): staged content joins it
-- KEYS[6]  directory counts of the stage (see redis/staged-dirs.lua)
-- KEYS[7]  the commit snapshot of the workspace, KEYS[8] its directory counts
-- KEYS[9]  the repository's record (hash, field json)
-- ARGV[1]  workspace id
-- ARGV[2]  job result JSON
-- ARGV[3]  job result time to live, seconds; 0 for a step that is no job's: nothing is recorded
-- ARGV[4]  most files the workspace may stage, 0 for no limit
-- ARGV[5]  most bytes the workspace may stage, 0 for no limit
-- ARGV[6]  n, the number of entries to set
-- ARGV[7]  the uuid of the repository the job was for: a repository deleted and created again
--          under its name is another one, and the deleted one's jobs stage nothing in it
-- ARGV[8 .. 7+2n]   path, entry JSON pairs to set
-- ARGV[8+2n ..]     paths to remove from the index (content identical to the base commit)
-- Returns 1; 0 (changing nothing) when the workspace (or its repository) no longer exists; 2 (changing nothing) when
-- the job's result is already recorded: another worker that got the job after a lapsed lock
-- finished it first, and its result stands; 3 (changing nothing) when the job would take the
-- workspace past a quota; {4, path, staged path} (changing nothing) when a file would collide
-- with a staged one (a file where files are staged under it, or under a staged file).
-- @include ../redis/usage.lua
-- @include ../redis/staged-dirs.lua
local isJob = ARGV[3] ~= '0'
if isJob and redis.call('EXISTS', KEYS[3]) == 1 then return 2 end
if redis.call('HEXISTS', KEYS[1], ARGV[1]) == 0 then return 0 end
local repo = redis.call('HGET', KEYS[9], 'json')
if not repo or cjson.decode(repo).uuid ~= ARGV[7] then return 0 end
local setEnd = 7 + 2 * tonumber(ARGV[6])
local path, other = firstCollision(KEYS[2], KEYS[6], KEYS[7], KEYS[8], 8, setEnd)
if path then return {4, path, other} end
local files, bytes = usageDelta(KEYS[2], 8, setEnd)
local maxFiles, maxBytes = tonumber(ARGV[4]), tonumber(ARGV[5])
if (maxFiles > 0 and files > 0) or (maxBytes > 0 and bytes > 0) then
  local usage = redis.call('HMGET', KEYS[4], 'files', 'bytes')
  if maxFiles > 0 and files > 0 and (tonumber(usage[1]) or 0) + files > maxFiles then return 3 end
  if maxBytes > 0 and bytes > 0 and (tonumber(usage[2]) or 0) + bytes > maxBytes then return 3 end
end
updateDirs(KEYS[2], KEYS[6], 8, setEnd)
writeEntries(KEYS[2], 8, setEnd, false)
addUsage(KEYS[4], files, bytes)
local hashes = {}
for i = 9, setEnd, 2 do
  local _, hash = entryFields(ARGV[i])
  if type(hash) == 'string' then hashes[#hashes + 1] = hash end
end
for i = 1, #hashes, 1000 do redis.call('SADD', KEYS[5], unpack(hashes, i, math.min(i + 999, #hashes))) end
if isJob then redis.call('SET', KEYS[3], ARGV[2], 'EX', ARGV[3]) end
return 1
