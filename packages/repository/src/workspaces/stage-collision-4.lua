-- Reads, changing nothing, whether files at the paths ARGV[1 ..] would collide with the stage (or
-- the snapshot of a commit running), so an upload can be refused before its bytes are stored.
-- Staging checks again atomically: this only moves the common refusal ahead of the work.
--
-- KEYS[1]  staging hash of the workspace, KEYS[2] its directory counts
-- KEYS[3]  the commit snapshot of the workspace, KEYS[4] its directory counts
-- ARGV     path, entry pairs, each entry a file (not a removal) as staged-entry-codec.ts encodes it
-- Returns {path, staged path} or false.
-- @include ../redis/staged-dirs.lua
local path, other = firstCollision(KEYS[1], KEYS[2], KEYS[3], KEYS[4], 1, #ARGV - 1)
if path then return {path, other} end
return false
