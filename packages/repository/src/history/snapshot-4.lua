-- Takes a workspace's stage for a commit: renames the staging hash to a snapshot key, so files
-- staged while the commit runs go to a fresh index and into the next commit, not lost.
-- If a snapshot of an earlier attempt that never landed exists, the stage must be merged into
-- it first, in batches (move-staged-6.lua): the script then changes nothing and returns -1.
--
-- KEYS[1]  staging hash of the workspace
-- KEYS[2]  snapshot key
-- KEYS[3]  directory counts of the stage, KEYS[4] those of the snapshot: they move with it
-- Returns the number of entries in the snapshot, or -1.
if redis.call('EXISTS', KEYS[1]) == 1 then
  if redis.call('EXISTS', KEYS[2]) == 1 then return -1 end
  redis.call('RENAME', KEYS[1], KEYS[2])
  redis.call('DEL', KEYS[4])
  if redis.call('EXISTS', KEYS[3]) == 1 then redis.call('RENAME', KEYS[3], KEYS[4]) end
end
return redis.call('HLEN', KEYS[2])
