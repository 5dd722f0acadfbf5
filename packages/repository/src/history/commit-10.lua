-- Lands a workspace commit: moves the branch ref from the head the commit was built on to the new
-- commit (compare-and-set, so concurrent commits on one branch serialize across API nodes), drops
-- the stage snapshot the commit was built from, and re-points the workspace at the new commit, or
-- deletes it when it is unnamed and nothing was staged in it while the commit ran (files staged
-- meanwhile were acknowledged: the workspace stays, holding them). All or nothing.
--
-- KEYS[1]  branches hash of the repository (branch -> commit id)
-- KEYS[2]  the stage snapshot the commit was built from
-- KEYS[3]  workspaces hash (workspace id -> record)
-- KEYS[4]  the workspace's stage (what was staged while the commit ran)
-- KEYS[5]  where the landed commit is recorded for the commit's token (a retried job reads it)
-- KEYS[6]  usage hash of the workspace: the snapshot's files and bytes leave it
-- KEYS[7]  the repository's commit ids (set): the new commit joins it
-- KEYS[8]  the snapshot's directory counts, KEYS[9] the stage's
-- KEYS[10] the workspace's commit lock
-- ARGV[1]  branch name
-- ARGV[2]  expected head (the new commit's parent)
-- ARGV[3]  new commit id
-- ARGV[4]  workspace id
-- ARGV[5]  the workspace record re-pointed at the new commit, JSON
-- ARGV[6]  workspace name, or "" for an unnamed workspace
-- ARGV[7]  commit JSON to record under KEYS[5]
-- ARGV[8]  time to live of that record, seconds
-- ARGV[9]  files in the snapshot, ARGV[10] their bytes (as usage counts them)
-- ARGV[11] this run's lock value (commit-lock-1.lua)
-- Returns 1 when landed, 0 when the branch moved meanwhile, 2 when another run of the commit's
-- token landed it or took this run's lock over (both change nothing).
-- @include ../redis/usage.lua
if redis.call('EXISTS', KEYS[5]) == 1 then return 2 end
local lock = redis.call('GET', KEYS[10])
if lock and lock ~= ARGV[11] then return 2 end
if redis.call('HGET', KEYS[1], ARGV[1]) ~= ARGV[2] then return 0 end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[3])
redis.call('SADD', KEYS[7], ARGV[3])
-- freed in the background: a snapshot of millions of entries would block Redis for seconds
redis.call('UNLINK', KEYS[2], KEYS[8])
if ARGV[6] == '' and redis.call('EXISTS', KEYS[4]) == 0 then
  redis.call('HDEL', KEYS[3], ARGV[4])
  redis.call('DEL', KEYS[6], KEYS[9])
else
  redis.call('HSET', KEYS[3], ARGV[4], ARGV[5])
  addUsage(KEYS[6], -tonumber(ARGV[9]), -tonumber(ARGV[10]))
end
redis.call('SET', KEYS[5], ARGV[7], 'EX', ARGV[8])
return 1
