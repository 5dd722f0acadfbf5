-- The Redis side of a resumable upload (POST R/versions/uploads); each of its scripts takes the same keys:
-- KEYS[1]  the upload's record (hash: hash, size, part_size, num_parts, part_window, low, ...)
-- KEYS[2]  parts stored (set of part numbers)
-- KEYS[3]  parts being stored: a hash from part number to `<deadline, ms>:<token>` of the request
--          that claimed it (a claim past its deadline counts for nothing)
--
-- Records part ARGV[1] as stored and refreshes the upload's lifetime (ARGV[2] seconds).
-- Returns 1 when this part completes the upload and the caller is the one to finish it (the
-- upload turns `completing`), else 0.
redis.call('HDEL', KEYS[3], ARGV[1])
redis.call('SADD', KEYS[2], ARGV[1])
for i = 1, 3 do redis.call('EXPIRE', KEYS[i], ARGV[2]) end
if redis.call('SCARD', KEYS[2]) == tonumber(redis.call('HGET', KEYS[1], 'num_parts'))
  and redis.call('HGET', KEYS[1], 'state') == 'open' then
  redis.call('HSET', KEYS[1], 'state', 'completing')
  return 1
end
return 0
