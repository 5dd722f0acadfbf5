-- Edits a staging index outside ingest jobs (unstaging, staged removals, moves), keeping usage,
-- and held to the same quotas and collision rule as staging: an edit that adds files is refused
-- whole past a quota, and one that stages a file colliding with staged files is refused whole.
--
-- KEYS[1]  staging hash of the workspace
-- KEYS[2]  usage hash of the workspace
-- KEYS[3]  directory counts of the stage
-- KEYS[4]  the commit snapshot of the workspace, KEYS[5] its directory counts
-- ARGV[1]  most files the workspace may stage, 0 for no limit
-- ARGV[2]  most bytes the workspace may stage, 0 for no limit
-- ARGV[3]  n, the number of entries to set
-- ARGV[4 .. 3+2n]   path, entry JSON pairs to set
-- ARGV[4+2n ..]     paths to unstage
-- Returns {'ok', the unstaged paths that were staged...}, {'over_quota'} or
-- {'collision', path, staged path}; the last two change nothing.
-- @include ../redis/usage.lua
-- @include ../redis/staged-dirs.lua
local setEnd = 3 + 2 * tonumber(ARGV[3])
local path, other = firstCollision(KEYS[1], KEYS[3], KEYS[4], KEYS[5], 4, setEnd)
if path then return {'collision', path, other} end
local files, bytes = usageDelta(KEYS[1], 4, setEnd)
local maxFiles, maxBytes = tonumber(ARGV[1]), tonumber(ARGV[2])
if (maxFiles > 0 and files > 0) or (maxBytes > 0 and bytes > 0) then
  local usage = redis.call('HMGET', KEYS[2], 'files', 'bytes')
  if maxFiles > 0 and files > 0 and (tonumber(usage[1]) or 0) + files > maxFiles then return {'over_quota'} end
  if maxBytes > 0 and bytes > 0 and (tonumber(usage[2]) or 0) + bytes > maxBytes then return {'over_quota'} end
end
updateDirs(KEYS[1], KEYS[3], 4, setEnd)
local deleted = writeEntries(KEYS[1], 4, setEnd, true)
addUsage(KEYS[2], files, bytes)
table.insert(deleted, 1, 'ok')
return deleted
