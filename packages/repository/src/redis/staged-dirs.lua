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
-- The values of fields in hash (false where absent), keyed by field: each distinct field read once,
-- a thousand to a command, so a batch costs a few commands however many files share a directory.
local function readFields(hash, fields)
  local values, distinct = {}, {}
  for _, field in ipairs(fields) do
    if values[field] == nil then
      values[field] = false
      distinct[#distinct + 1] = field
    end
  end
  for i = 1, #distinct, 1000 do
    local last = math.min(i + 999, #distinct)
    local found = redis.call('HMGET', hash, unpack(distinct, i, last))
    for j = i, last do values[distinct[j]] = found[j - i + 1] end
  end
  return values
end
-- Adds delta to the counts of path's parent directories, in a table flushed by flushDirs.
local function countDirs(pending, path, delta)
  for _, dir in ipairs(parents(path)) do pending[dir] = (pending[dir] or 0) + delta end
end
-- Writes the new counts whole (a count down to 0 is deleted): a few commands for a batch of files
-- in as many directories, where an HINCRBY each would cost one per directory.
local function flushDirs(key, pending)
  local dirs = {}
  for dir, delta in pairs(pending) do
    if delta ~= 0 then dirs[#dirs + 1] = dir end
  end
  local counts = readFields(key, dirs)
  local set, gone = {}, {}
  for _, dir in ipairs(dirs) do
    local count = (tonumber(counts[dir]) or 0) + pending[dir]
    if count > 0 then
      set[#set + 1] = dir
      set[#set + 1] = string.format('%d', count)
    else
      gone[#gone + 1] = dir
    end
  end
  for i = 1, #set, 2000 do redis.call('HSET', key, unpack(set, i, math.min(i + 1999, #set))) end
  for i = 1, #gone, 1000 do redis.call('HDEL', key, unpack(gone, i, math.min(i + 999, #gone))) end
end
-- What the collision rule reads of (hash, dirs) for files at paths, each distinct path and parent
-- directory asked once: the entries at the parents, and which paths have staged files under them.
local function collisionReads(hash, dirs, paths)
  local allParents = {}
  for _, path in ipairs(paths) do
    for _, dir in ipairs(parents(path)) do allParents[#allParents + 1] = dir end
  end
  return { entries = readFields(hash, allParents), counts = readFields(dirs, paths) }
end
-- The staged path a file at path would collide with (reads from collisionReads): a staged file at
-- a parent directory, or path itself when staged files are under it; nil when none.
local function collision(reads, path)
  if reads.counts[path] then return path end
  for _, dir in ipairs(parents(path)) do
    if live(reads.entries[dir]) then return dir end
  end
  return nil
end
-- Checks the live entries of the pairs ARGV[from .. to] against the stage and, when a commit
-- runs, its snapshot; returns the first colliding pair (path, staged path) in ARGV's order, or nil.
local function firstCollision(stage, stageDirs, snapshot, snapshotDirs, from, to)
  local paths = {}
  for i = from, to, 2 do
    if live(ARGV[i + 1]) then paths[#paths + 1] = ARGV[i] end
  end
  if #paths == 0 then return nil end
  local staged = collisionReads(stage, stageDirs, paths)
  local committing = redis.call('EXISTS', snapshot) == 1 and collisionReads(snapshot, snapshotDirs, paths)
  for _, path in ipairs(paths) do
    local other = collision(staged, path) or (committing and collision(committing, path))
    if other then return path, other end
  end
  return nil
end
-- The directory-count change of setting the pairs ARGV[from .. to] and deleting ARGV[to + 1 ..]
-- in hash, written to dirs. Call before the entries are written (it reads the old ones).
local function updateDirs(hash, dirs, from, to)
  local paths = {}
  for i = from, to, 2 do paths[#paths + 1] = ARGV[i] end
  for i = to + 1, #ARGV do paths[#paths + 1] = ARGV[i] end
  local old = readFields(hash, paths)
  local pending = {}
  for i = from, to, 2 do
    if live(old[ARGV[i]]) then countDirs(pending, ARGV[i], -1) end
    if live(ARGV[i + 1]) then countDirs(pending, ARGV[i], 1) end
  end
  for i = to + 1, #ARGV do
    if live(old[ARGV[i]]) then countDirs(pending, ARGV[i], -1) end
  end
  flushDirs(dirs, pending)
end
