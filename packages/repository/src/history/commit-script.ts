import { stagedEntryLua } from '../workspaces/staged-entry-codec.js';
import { stagedDirsLua } from '../redis/staged-dirs-lua.js';
import { usageLua } from '../redis/usage-lua.js';

/**
 * Lands a workspace commit: moves the branch ref from the head the commit was built on to the new
 * commit (compare-and-set, so concurrent commits on one branch serialize across API nodes), drops
 * the stage snapshot the commit was built from, and re-points the workspace at the new commit, or
 * deletes it when it is unnamed and nothing was staged in it while the commit ran (files staged
 * meanwhile were acknowledged: the workspace stays, holding them). All or nothing.
 *
 * KEYS[1]  branches hash of the repository (branch -> commit id)
 * KEYS[2]  the stage snapshot the commit was built from
 * KEYS[3]  workspaces hash (workspace id -> record)
 * KEYS[4]  the workspace's stage (what was staged while the commit ran)
 * KEYS[5]  where the landed commit is recorded for the commit's token (a retried job reads it)
 * KEYS[6]  usage hash of the workspace: the snapshot's files and bytes leave it
 * KEYS[7]  the repository's commit ids (set): the new commit joins it
 * KEYS[8]  the snapshot's directory counts, KEYS[9] the stage's
 * KEYS[10] the workspace's commit lock
 * ARGV[1]  branch name
 * ARGV[2]  expected head (the new commit's parent)
 * ARGV[3]  new commit id
 * ARGV[4]  workspace id
 * ARGV[5]  the workspace record re-pointed at the new commit, JSON
 * ARGV[6]  workspace name, or "" for an unnamed workspace
 * ARGV[7]  commit JSON to record under KEYS[5]
 * ARGV[8]  time to live of that record, seconds
 * ARGV[9]  files in the snapshot, ARGV[10] their bytes (as usage counts them)
 * ARGV[11] this run's lock value (commitRunLua)
 * Returns 1 when landed, 0 when the branch moved meanwhile, 2 when another run of the commit's
 * token landed it or took this run's lock over (both change nothing).
 */
export const commitScript = `${stagedEntryLua}${usageLua}
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
`;

/**
 * Takes a workspace's stage for a commit: renames the staging hash to a snapshot key, so files
 * staged while the commit runs go to a fresh index and into the next commit, not lost.
 * If a snapshot of an earlier attempt that never landed exists, the stage must be merged into
 * it first, in batches (moveStagedScript): the script then changes nothing and returns -1.
 *
 * KEYS[1]  staging hash of the workspace
 * KEYS[2]  snapshot key
 * KEYS[3]  directory counts of the stage, KEYS[4] those of the snapshot: they move with it
 * Returns the number of entries in the snapshot, or -1.
 */
export const snapshotScript = `
if redis.call('EXISTS', KEYS[1]) == 1 then
  if redis.call('EXISTS', KEYS[2]) == 1 then return -1 end
  redis.call('RENAME', KEYS[1], KEYS[2])
  redis.call('DEL', KEYS[4])
  if redis.call('EXISTS', KEYS[3]) == 1 then redis.call('RENAME', KEYS[3], KEYS[4]) end
end
return redis.call('HLEN', KEYS[2])
`;

/**
 * Moves one HSCAN batch of entries from one staging hash to another, keeping the workspace's
 * usage (which counts both hashes) right: a commit's snapshot given back to the stage after it
 * did not land (an entry staged again meanwhile wins), or a stage merged into the snapshot of an
 * earlier attempt (the stage's entry wins). A batch at a time, so a stage of millions never blocks
 * Redis for seconds; each batch is atomic, and a move cut short leaves every entry in one of the
 * two hashes, which the next commit's snapshot merges again.
 *
 * KEYS[1]  the hash entries leave
 * KEYS[2]  the hash they join
 * KEYS[3]  usage hash of the workspace: an entry dropped for another leaves it
 * KEYS[4]  directory counts of KEYS[1], KEYS[5] those of KEYS[2] (staged-dirs-lua.ts)
 * KEYS[6]  the workspace's commit lock
 * ARGV[1]  HSCAN cursor, ARGV[2] its COUNT
 * ARGV[3]  "keep" when an entry already in KEYS[2] wins, "replace" when the moved one does
 * ARGV[4]  this run's lock value: a run whose lock another run took over moves nothing (the
 *          snapshot is that run's now)
 * Returns the next cursor; "0" once the scan went round (or at once for a run taken over).
 */
export const moveStagedScript = `${stagedEntryLua}${usageLua}${stagedDirsLua}
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
`;

/**
 * Takes a workspace's commit lock for one run of a commit: free, or held by an earlier run of the
 * same token (a retried job whose first run died, or whose queue lock lapsed while it still runs:
 * that run then lands nothing and moves nothing, see commitScript and moveStagedScript).
 *
 * KEYS[1]  the workspace's commit lock
 * ARGV[1]  this run's lock value, `token run-id`; ARGV[2] the token followed by a space
 * ARGV[3]  the lock's time to live, ms
 * Returns 1 when taken, 0 when another token's commit holds it.
 */
export const commitLockScript = `
local held = redis.call('GET', KEYS[1])
if held and held ~= ARGV[2]:sub(1, -2) and held:sub(1, #ARGV[2]) ~= ARGV[2] then return 0 end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[3])
return 1
`;
