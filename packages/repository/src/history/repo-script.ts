/**
 * Creates a repository, with its initial commit when it has one, all or nothing: a refused or
 * raced creation leaves no branch, commit id or content reference behind.
 *
 * KEYS[1]  repository record hash
 * KEYS[2]  branches hash
 * KEYS[3]  the repository's commit ids (set)
 * KEYS[4]  the repository's content hashes (set)
 * KEYS[5]  the mark of a deletion still removing the keys of a repository of that name
 * ARGV[1]  repository record JSON
 * ARGV[2]  initial commit id, or "" for a repository without commits
 * ARGV[3 ..] content hashes of the initial files
 * Returns 1 when created, 0 (nothing changed) when the repository exists, -1 (nothing changed)
 * while a deletion of that name is still under way.
 */
export const createRepoScript = `
if redis.call('EXISTS', KEYS[5]) == 1 then return -1 end
if redis.call('HSETNX', KEYS[1], 'json', ARGV[1]) == 0 then return 0 end
if ARGV[2] ~= '' then
  redis.call('HSET', KEYS[2], 'main', ARGV[2])
  redis.call('SADD', KEYS[3], ARGV[2])
end
for i = 3, #ARGV do redis.call('SADD', KEYS[4], ARGV[i]) end
return 1
`;

/**
 * Creates a branch at a commit of the repository, or finds it.
 *
 * KEYS[1]  branches hash
 * KEYS[2]  the repository's commit ids (set)
 * ARGV[1]  branch name
 * ARGV[2]  commit id
 * ARGV[3]  "1" to record the commit as the repository's (its initial commit), "0" to require it
 * Returns 1 when created; 0 when the branch exists (nothing changed); -1 when the commit is not
 * one of the repository's (nothing changed).
 */
export const createBranchScript = `
if ARGV[3] == '0' and redis.call('SISMEMBER', KEYS[2], ARGV[2]) == 0 then return -1 end
if redis.call('HEXISTS', KEYS[1], ARGV[1]) == 1 then return 0 end
redis.call('SADD', KEYS[2], ARGV[2])
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
return 1
`;

/**
 * Deletes a branch, unless it is `main` (upstream's default branch, the one a clone checks out)
 * or the repository's last one: a repository always keeps a branch once it has one.
 *
 * KEYS[1]  branches hash
 * ARGV[1]  branch name
 * Returns {1, head} when deleted; {0} when there is no such branch; {-1, why} (nothing changed)
 * when the branch is kept.
 */
export const deleteBranchScript = `
local head = redis.call('HGET', KEYS[1], ARGV[1])
if not head then return {0} end
if ARGV[1] == 'main' then return {-1, 'main'} end
if redis.call('HLEN', KEYS[1]) == 1 then return {-1, 'last'} end
redis.call('HDEL', KEYS[1], ARGV[1])
return {1, head}
`;
