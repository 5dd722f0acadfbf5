-- The decoding of workspaces/staged-entry-codec.ts in Lua, for the scripts that keep usage and
-- directory counts: an entry's status letter, hash and size, or nil for a value that is no entry.
local function entryFields(value)
  if not value then return nil end
  if string.byte(value, 1) == 123 then
    local ok, entry = pcall(cjson.decode, value)
    if not ok or type(entry) ~= 'table' or type(entry.status) ~= 'string' then return nil end
    return string.sub(entry.status, 1, 1), entry.hash, tonumber(entry.size)
  end
  local status, hash, size = string.match(value, '^([amr])\t([^\t]*)\t(%d+)\t')
  return status, hash, tonumber(size)
end
