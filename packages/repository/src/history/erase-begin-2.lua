-- Starts a deletion: the repository record goes and the erasing mark is set in one step, so the
-- repository is not found from then on and its name cannot be created again until the mark goes.
--
-- KEYS[1]  repository record hash, KEYS[2] the erasing mark
-- Returns 1 when the repository was there; 2 when only the mark was (a deletion cut short, resumed);
-- 0 (nothing changed) when neither was.
if redis.call('EXISTS', KEYS[1]) == 1 then
  redis.call('DEL', KEYS[1])
  redis.call('SET', KEYS[2], '1')
  return 1
end
if redis.call('EXISTS', KEYS[2]) == 1 then return 2 end
return 0
