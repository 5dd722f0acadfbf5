-- Creates a branch at a commit of the repository, or finds it.
--
-- KEYS[1]  branches hash
-- KEYS[2]  the repository's commit ids (set)
-- ARGV[1]  branch name
-- ARGV[2]  commit id
-- ARGV[3]  "1" to record the commit as the repository's (its initial commit), "0" to require it
-- Returns 1 when created; 0 when the branch exists (nothing changed); -1 when the commit is not
-- one of the repository's (nothing changed).
if ARGV[3] == '0' and redis.call('SISMEMBER', KEYS[2], ARGV[2]) == 0 then return -1 end
if redis.call('HEXISTS', KEYS[1], ARGV[1]) == 1 then return 0 end
redis.call('SADD', KEYS[2], ARGV[2])
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
return 1
