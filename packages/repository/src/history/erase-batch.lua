-- Unlinks one batch of the repository's keys while the mark stands: once another deletion has
-- finished and the name may have been created again, nothing more is removed.
-- No key count in its name: it takes as many keys as the batch has.
--
-- KEYS[1]  the erasing mark, KEYS[2 ..] keys to unlink
-- Returns how many were unlinked, or -1 (nothing changed) when the mark is gone.
if redis.call('EXISTS', KEYS[1]) == 0 then return -1 end
if #KEYS < 2 then return 0 end
return redis.call('UNLINK', unpack(KEYS, 2))
