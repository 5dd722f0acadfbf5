-- The Redis side of a resumable upload (POST R/versions/uploads); each of its scripts takes the same keys:
-- KEYS[1]  the upload's record (hash: hash, size, part_size, num_parts, part_window, low, ...)
-- KEYS[2]  parts stored (set of part numbers)
-- KEYS[3]  parts being stored: a hash from part number to `<deadline, ms>:<token>` of the request
--          that claimed it (a claim past its deadline counts for nothing)
--
-- Claims part ARGV[1] for storing (ARGV[2]: the upload's lifetime, seconds; ARGV[3]: how long the
-- claim holds, seconds; ARGV[4]: the claiming request's token). `low` is the earliest part not yet
-- stored; a part may be at most `part_window` parts from it, counting it.
-- Returns 1 (claimed), 2 (already stored: accept and ignore), 3 (being stored by another request),
-- 4 (outside the window), 5 (stored, and the upload is completing: a resend of a part whose answer
-- was lost, to be answered as the completing request is), -1 (no such open or completing upload).
local state = redis.call('HGET', KEYS[1], 'state')
local n = tonumber(ARGV[1])
if state == 'completing' and redis.call('SISMEMBER', KEYS[2], n) == 1 then return 5 end
if state ~= 'open' then return -1 end
if redis.call('SISMEMBER', KEYS[2], n) == 1 then return 2 end
local clock = redis.call('TIME')
local now = tonumber(clock[1]) * 1000 + math.floor(tonumber(clock[2]) / 1000)
local held = redis.call('HGET', KEYS[3], n)
if held and tonumber(string.match(held, '^(%d+):')) > now then return 3 end
local low = tonumber(redis.call('HGET', KEYS[1], 'low'))
while redis.call('SISMEMBER', KEYS[2], low) == 1 do low = low + 1 end
redis.call('HSET', KEYS[1], 'low', low)
if n >= low + tonumber(redis.call('HGET', KEYS[1], 'part_window')) then return 4 end
redis.call('HSET', KEYS[3], n, string.format('%d:%s', now + tonumber(ARGV[3]) * 1000, ARGV[4]))
redis.call('EXPIRE', KEYS[3], ARGV[2])
return 1
