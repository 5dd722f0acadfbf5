-- Deletes a branch, unless it is `main` (upstream's default branch, the one a clone checks out)
-- or the repository's last one: a repository always keeps a branch once it has one.
--
-- KEYS[1]  branches hash
-- ARGV[1]  branch name
-- Returns {1, head} when deleted; {0} when there is no such branch; {-1, why} (nothing changed)
-- when the branch is kept.
local head = redis.call('HGET', KEYS[1], ARGV[1])
if not head then return {0} end
if ARGV[1] == 'main' then return {-1, 'main'} end
if redis.call('HLEN', KEYS[1]) == 1 then return {-1, 'last'} end
redis.call('HDEL', KEYS[1], ARGV[1])
return {1, head}
