-- The Redis side of a resumable upload (POST R/versions/uploads); each of its scripts takes the same keys:
-- KEYS[1]  the upload's record (hash: hash, size, part_size, num_parts, part_window, low, ...)
-- KEYS[2]  parts stored (set of part numbers)
-- KEYS[3]  parts being stored: a hash from part number to `<deadline, ms>:<token>` of the request
--          that claimed it (a claim past its deadline counts for nothing)
--
-- Gives up the claim on part ARGV[1] if request ARGV[2] still holds it (a later claim stands).
local held = redis.call('HGET', KEYS[3], ARGV[1])
if held and string.sub(held, -string.len(ARGV[2]) - 1) == ':' .. ARGV[2] then redis.call('HDEL', KEYS[3], ARGV[1]) end
return 0
