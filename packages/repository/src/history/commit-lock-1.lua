-- Takes a workspace's commit lock for one run of a commit: free, or held by an earlier run of the
-- same token (a retried job whose first run died, or whose queue lock lapsed while it still runs:
-- that run then lands nothing and moves nothing, see commit-10.lua and move-staged-6.lua).
--
-- KEYS[1]  the workspace's commit lock
-- ARGV[1]  this run's lock value, `token run-id`; ARGV[2] the token followed by a space
-- ARGV[3]  the lock's time to live, ms
-- Returns 1 when taken, 0 when another token's commit holds it.
local held = redis.call('GET', KEYS[1])
if held and held ~= ARGV[2]:sub(1, -2) and held:sub(1, #ARGV[2]) ~= ARGV[2] then return 0 end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[3])
return 1
