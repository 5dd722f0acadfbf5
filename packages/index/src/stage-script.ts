/**
 * Applies one ingest job to a workspace's staging index, atomically with the job's result, so a
 * retried job finds its result and re-applies nothing; a crash never leaves half a batch staged.
 *
 * KEYS[1]  workspaces hash of the repository (workspace id -> record)
 * KEYS[2]  staging hash of the workspace (path -> StagedEntry JSON)
 * KEYS[3]  job result key
 * ARGV[1]  workspace id
 * ARGV[2]  job result JSON
 * ARGV[3]  job result time to live, seconds
 * ARGV[4]  n, the number of entries to set
 * ARGV[5 .. 4+2n]   path, entry JSON pairs to set
 * ARGV[5+2n ..]     paths to remove from the index (content identical to the base commit)
 * Returns 1; 0 (changing nothing) when the workspace no longer exists; 2 (changing nothing) when
 * the job's result is already recorded: another worker that got the job after a lapsed lock
 * finished it first, and its result stands.
 */
export const stageScript = `
if redis.call('EXISTS', KEYS[3]) == 1 then return 2 end
if redis.call('HEXISTS', KEYS[1], ARGV[1]) == 0 then return 0 end
local setEnd = 4 + 2 * tonumber(ARGV[4])
for i = 5, setEnd, 2000 do
  redis.call('HSET', KEYS[2], unpack(ARGV, i, math.min(i + 1999, setEnd)))
end
for i = setEnd + 1, #ARGV, 1000 do
  redis.call('HDEL', KEYS[2], unpack(ARGV, i, math.min(i + 999, #ARGV)))
end
redis.call('SET', KEYS[3], ARGV[2], 'EX', ARGV[3])
return 1
`;
