-- Shared by the scripts that change a staging index, so each keeps the workspace's directory
-- counts in step: a hash `dir -> number of staged files under it` (removals do not count). With
-- it a script tells in a few reads whether a file staged at a path would collide with staged
-- files: a staged file at one of the path's parent directories, or staged files under the path.
-- A commit's snapshot keeps its own counts, so files staged while a commit runs are checked
-- against the files that commit is writing.
-- @include staged-entry.lua
local function live(value)
  local status = entryFields(value)
  return status ~= nil and status ~= 'r'
end
local function parents(path)
  local out, at = {}, 0
  while true do
    at = string.find(path, '/', at + 1, true)
    if not at then return out end
    out[#out + 1] = string.sub(path, 1, at - 1)
  end
end
-- Adds delta to the counts of path's parent directories, in a table flushed by flushDirs.
local function countDirs(pending, path, delta)
  for _, dir in ipairs(parents(path)) do pending[dir] = (pending[dir] or 0) + delta end
end
local function flushDirs(key, pending)
  for dir, delta in pairs(pending) do
    if delta ~= 0 and redis.call('HINCRBY', key, dir, delta) <= 0 then redis.call('HDEL', key, dir) end
  end
end
-- The staged path a file at path would collide with in (hash, dirs): a staged file at a parent
-- directory, or path itself when staged files are under it; nil when none.
local function collision(hash, dirs, path)
  if redis.call('HEXISTS', dirs, path) == 1 then return path end
  for _, dir in ipairs(parents(path)) do
    if live(redis.call('HGET', hash, dir)) then return dir end
  end
  return nil
end
-- Checks the live entries of the pairs ARGV[from .. to] against the stage and, when a commit
-- runs, its snapshot; returns the colliding pair (path, staged path) or nil.
local function firstCollision(stage, stageDirs, snapshot, snapshotDirs, from, to)
  local committing = redis.call('EXISTS', snapshot) == 1
  for i = from, to, 2 do
    if live(ARGV[i + 1]) then
      local other = collision(stage, stageDirs, ARGV[i])
      if not other and committing then other = collision(snapshot, snapshotDirs, ARGV[i]) end
      if other then return ARGV[i], other end
    end
  end
  return nil
end
-- The directory-count change of setting the pairs ARGV[from .. to] and deleting ARGV[to + 1 ..]
-- in hash, written to dirs. Call before the entries are written (it reads the old ones).
local function updateDirs(hash, dirs, from, to)
  local pending = {}
  for i = from, to, 2 do
    if live(redis.call('HGET', hash, ARGV[i])) then countDirs(pending, ARGV[i], -1) end
    if live(ARGV[i + 1]) then countDirs(pending, ARGV[i], 1) end
  end
  for i = to + 1, #ARGV do
    if live(redis.call('HGET', hash, ARGV[i])) then countDirs(pending, ARGV[i], -1) end
  end
  flushDirs(dirs, pending)
end
