/**
 * The Redis side of a resumable upload (POST R/versions/uploads). Each script takes the same keys:
 *
 * KEYS[1]  the upload's record (hash: hash, size, part_size, num_parts, part_window, low, ...)
 * KEYS[2]  parts stored (set of part numbers)
 * KEYS[3]  parts being stored: a hash from part number to `<deadline, ms>:<token>` of the request
 *          that claimed it (a claim past its deadline counts for nothing)
 */

/** Redis's own clock in milliseconds, the same for every API node. */
const nowMs = `local clock = redis.call('TIME')
local now = tonumber(clock[1]) * 1000 + math.floor(tonumber(clock[2]) / 1000)`;

/**
 * Claims part ARGV[1] for storing (ARGV[2]: the upload's lifetime, seconds; ARGV[3]: how long the
 * claim holds, seconds; ARGV[4]: the claiming request's token). `low` is the earliest part not yet
 * stored; a part may be at most `part_window` parts from it, counting it.
 * Returns 1 (claimed), 2 (already stored: accept and ignore), 3 (being stored by another request),
 * 4 (outside the window), -1 (no such open upload).
 */
export const claimPartScript = `
if redis.call('HGET', KEYS[1], 'state') ~= 'open' then return -1 end
local n = tonumber(ARGV[1])
if redis.call('SISMEMBER', KEYS[2], n) == 1 then return 2 end
${nowMs}
local held = redis.call('HGET', KEYS[3], n)
if held and tonumber(string.match(held, '^(%d+):')) > now then return 3 end
local low = tonumber(redis.call('HGET', KEYS[1], 'low'))
while redis.call('SISMEMBER', KEYS[2], low) == 1 do low = low + 1 end
redis.call('HSET', KEYS[1], 'low', low)
if n >= low + tonumber(redis.call('HGET', KEYS[1], 'part_window')) then return 4 end
redis.call('HSET', KEYS[3], n, string.format('%d:%s', now + tonumber(ARGV[3]) * 1000, ARGV[4]))
redis.call('EXPIRE', KEYS[3], ARGV[2])
return 1
`;

/** Gives up the claim on part ARGV[1] if request ARGV[2] still holds it (a later claim stands). */
export const releasePartScript = `
local held = redis.call('HGET', KEYS[3], ARGV[1])
if held and string.sub(held, -string.len(ARGV[2]) - 1) == ':' .. ARGV[2] then redis.call('HDEL', KEYS[3], ARGV[1]) end
return 0
`;

/**
 * Records part ARGV[1] as stored and refreshes the upload's lifetime (ARGV[2] seconds).
 * Returns 1 when this part completes the upload and the caller is the one to finish it (the
 * upload turns `completing`), else 0.
 */
export const partStoredScript = `
redis.call('HDEL', KEYS[3], ARGV[1])
redis.call('SADD', KEYS[2], ARGV[1])
for i = 1, 3 do redis.call('EXPIRE', KEYS[i], ARGV[2]) end
if redis.call('SCARD', KEYS[2]) == tonumber(redis.call('HGET', KEYS[1], 'num_parts'))
  and redis.call('HGET', KEYS[1], 'state') == 'open' then
  redis.call('HSET', KEYS[1], 'state', 'completing')
  return 1
end
return 0
`;
