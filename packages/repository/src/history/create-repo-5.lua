-- Creates a repository, with its initial commit when it has one, all or nothing: a refused or
-- raced creation leaves no branch, commit id or content reference behind.
--
-- KEYS[1]  repository record hash
-- KEYS[2]  branches hash
-- KEYS[3]  the repository's commit ids (set)
-- KEYS[4]  the repository's content hashes (set)
-- KEYS[5]  the mark of a deletion still removing the keys of a repository of that name
-- ARGV[1]  repository record JSON
-- ARGV[2]  initial commit id, or "" for a repository without commits
-- ARGV[3 ..] content hashes of the initial files
-- Returns 1 when created, 0 (nothing changed) when the repository exists, -1 (nothing changed)
-- while a deletion of that name is still under way.
if redis.call('EXISTS', KEYS[5]) == 1 then return -1 end
if redis.call('HSETNX', KEYS[1], 'json', ARGV[1]) == 0 then return 0 end
if ARGV[2] ~= '' then
  redis.call('HSET', KEYS[2], 'main', ARGV[2])
  redis.call('SADD', KEYS[3], ARGV[2])
end
for i = 3, #ARGV do redis.call('SADD', KEYS[4], ARGV[i]) end
return 1
