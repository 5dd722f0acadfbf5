-- Marks hashes stored in one content bucket without losing a location recorded for one.
--
-- KEYS[1]  the content bucket (hash: content hash -> location, or '' for a version stored loose)
-- ARGV     content hashes
-- Sets each field of ARGV to '' unless it has a value.
for i = 1, #ARGV do redis.call('hsetnx', KEYS[1], ARGV[i], '') end
