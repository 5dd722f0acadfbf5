-- Records locations in one content bucket where none is known yet.
--
-- KEYS[1]  the content bucket (hash: content hash -> location, or '' for a version stored loose)
-- ARGV     content hash, location pairs
-- Sets each pair unless the field already has a location (it may be '').
for i = 1, #ARGV, 2 do
  local v = redis.call('hget', KEYS[1], ARGV[i])
  if not v or v == '' then redis.call('hset', KEYS[1], ARGV[i], ARGV[i + 1]) end
end
