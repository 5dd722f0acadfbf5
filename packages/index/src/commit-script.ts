import { usageLua } from './usage-lua.js';

/**
 * Lands a workspace commit: moves the branch ref from the head the commit was built on to the new
 * commit (compare-and-set, so concurrent commits on one branch serialize across API nodes), drops
 * the stage snapshot the commit was built from, and deletes the workspace (unnamed) or re-points it
 * at the new commit (named). All or nothing.
 *
 * KEYS[1]  branches hash of the repository (branch -> commit id)
 * KEYS[2]  the stage snapshot the commit was built from
 * KEYS[3]  workspaces hash (workspace id -> record)
 * KEYS[4]  workspace names hash (name -> id)
 * KEYS[5]  where the landed commit is recorded for the commit's token (a retried job reads it)
 * KEYS[6]  usage hash of the workspace: the snapshot's files and bytes leave it
 * KEYS[7]  the repository's commit ids (set): the new commit joins it
 * ARGV[1]  branch name
 * ARGV[2]  expected head (the new commit's parent)
 * ARGV[3]  new commit id
 * ARGV[4]  workspace id
 * ARGV[5]  re-pointed workspace record JSON, or "" to delete the workspace
 * ARGV[6]  workspace name, or "" for an unnamed workspace
 * ARGV[7]  commit JSON to record under KEYS[5]
 * ARGV[8]  time to live of that record, seconds
 * ARGV[9]  files in the snapshot, ARGV[10] their bytes (as usage counts them)
 * Returns 1 when landed, 0 when the branch moved meanwhile (nothing changed).
 */
export const commitScript = `${usageLua}
if redis.call('HGET', KEYS[1], ARGV[1]) ~= ARGV[2] then return 0 end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[3])
redis.call('SADD', KEYS[7], ARGV[3])
redis.call('DEL', KEYS[2])
if ARGV[5] == '' then
  redis.call('HDEL', KEYS[3], ARGV[4])
  if ARGV[6] ~= '' then redis.call('HDEL', KEYS[4], ARGV[6]) end
  redis.call('DEL', KEYS[6])
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
 * If a snapshot of an earlier attempt that never landed exists, it is merged back first.
 *
 * KEYS[1]  staging hash of the workspace
 * KEYS[2]  snapshot key
 * KEYS[3]  usage hash of the workspace: an entry replaced in the snapshot leaves it
 * Returns the number of entries in the snapshot.
 */
export const snapshotScript = `${usageLua}
if redis.call('EXISTS', KEYS[2]) == 1 and redis.call('EXISTS', KEYS[1]) == 1 then
  local newer = redis.call('HGETALL', KEYS[1])
  for i = 1, #newer, 2 do
    local f, b = weight(redis.call('HGET', KEYS[2], newer[i]))
    addUsage(KEYS[3], -f, -b)
    redis.call('HSET', KEYS[2], newer[i], newer[i + 1])
  end
  redis.call('DEL', KEYS[1])
elseif redis.call('EXISTS', KEYS[1]) == 1 then
  redis.call('RENAME', KEYS[1], KEYS[2])
end
return redis.call('HLEN', KEYS[2])
`;

/**
 * Gives a snapshot back to the workspace after a commit that did not land (conflict, no changes,
 * error): its entries return unless the same path was staged again meanwhile.
 *
 * KEYS[1]  staging hash of the workspace
 * KEYS[2]  snapshot key
 * KEYS[3]  usage hash of the workspace: a snapshot entry dropped for a newer one leaves it
 */
export const restoreScript = `${usageLua}
local old = redis.call('HGETALL', KEYS[2])
for i = 1, #old, 2 do
  if redis.call('HSETNX', KEYS[1], old[i], old[i + 1]) == 0 then
    local f, b = weight(old[i + 1])
    addUsage(KEYS[3], -f, -b)
  end
end
redis.call('DEL', KEYS[2])
return #old / 2
`;
