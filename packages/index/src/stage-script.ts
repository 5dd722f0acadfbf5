import { usageLua } from './usage-lua.js';

/**
 * Applies one ingest job to a workspace's staging index, atomically with the job's result, so a
 * retried job finds its result and re-applies nothing; a crash never leaves half a batch staged.
 * The workspace's quotas are checked in the same step, so concurrent jobs cannot overrun them.
 *
 * KEYS[1]  workspaces hash of the repository (workspace id -> record)
 * KEYS[2]  staging hash of the workspace (path -> StagedEntry JSON)
 * KEYS[3]  job result key
 * KEYS[4]  usage hash of the workspace (files, bytes)
 * KEYS[5]  content hashes the repository references (set): staged content joins it
 * ARGV[1]  workspace id
 * ARGV[2]  job result JSON
 * ARGV[3]  job result time to live, seconds
 * ARGV[4]  most files the workspace may stage, 0 for no limit
 * ARGV[5]  most bytes the workspace may stage, 0 for no limit
 * ARGV[6]  n, the number of entries to set
 * ARGV[7 .. 6+2n]   path, entry JSON pairs to set
 * ARGV[7+2n ..]     paths to remove from the index (content identical to the base commit)
 * Returns 1; 0 (changing nothing) when the workspace no longer exists; 2 (changing nothing) when
 * the job's result is already recorded: another worker that got the job after a lapsed lock
 * finished it first, and its result stands; 3 (changing nothing) when the job would take the
 * workspace past a quota.
 */
export const stageScript = `${usageLua}
if redis.call('EXISTS', KEYS[3]) == 1 then return 2 end
if redis.call('HEXISTS', KEYS[1], ARGV[1]) == 0 then return 0 end
local setEnd = 6 + 2 * tonumber(ARGV[6])
local files, bytes = usageDelta(KEYS[2], 7, setEnd)
local maxFiles, maxBytes = tonumber(ARGV[4]), tonumber(ARGV[5])
if (maxFiles > 0 and files > 0) or (maxBytes > 0 and bytes > 0) then
  local usage = redis.call('HMGET', KEYS[4], 'files', 'bytes')
  if maxFiles > 0 and files > 0 and (tonumber(usage[1]) or 0) + files > maxFiles then return 3 end
  if maxBytes > 0 and bytes > 0 and (tonumber(usage[2]) or 0) + bytes > maxBytes then return 3 end
end
writeEntries(KEYS[2], 7, setEnd, false)
addUsage(KEYS[4], files, bytes)
local hashes = {}
for i = 8, setEnd, 2 do
  local ok, entry = pcall(cjson.decode, ARGV[i])
  if ok and type(entry.hash) == 'string' then hashes[#hashes + 1] = entry.hash end
end
for i = 1, #hashes, 1000 do redis.call('SADD', KEYS[5], unpack(hashes, i, math.min(i + 999, #hashes))) end
redis.call('SET', KEYS[3], ARGV[2], 'EX', ARGV[3])
return 1
`;

/**
 * Edits a staging index outside ingest jobs (unstaging, staged removals, moves), keeping usage.
 *
 * KEYS[1]  staging hash of the workspace
 * KEYS[2]  usage hash of the workspace
 * ARGV[1]  n, the number of entries to set
 * ARGV[2 .. 1+2n]   path, entry JSON pairs to set
 * ARGV[2+2n ..]     paths to unstage
 * Returns the unstaged paths that were staged.
 */
export const stageEditScript = `${usageLua}
local setEnd = 1 + 2 * tonumber(ARGV[1])
local files, bytes = usageDelta(KEYS[1], 2, setEnd)
local deleted = writeEntries(KEYS[1], 2, setEnd, true)
addUsage(KEYS[2], files, bytes)
return deleted
`;
