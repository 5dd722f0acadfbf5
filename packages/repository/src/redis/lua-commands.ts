import { readFileSync } from 'node:fs';
import { dirname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { RedisClient } from './redis-client.js';

/**
 * The .lua files sit in src/ beside the code that runs them, and tsc copies nothing but TypeScript
 * into dist/: they are read from the package's src/, found from this module, which is two folders
 * below the package root both in dist/redis/ (the build; the Docker image copies packages/ whole)
 * and in src/redis/ (tests that import the sources).
 */
const luaRoot = join(fileURLToPath(new URL('../../', import.meta.url)), 'src');

/** What each script answers (see the header of its file). */
interface Answers {
  stage: 0 | 1 | 2 | 3 | [4, string, string];
  stageEdit: string[];
  stageCollision: [string, string] | null;
  commit: number;
  snapshot: number;
  moveStaged: string;
  commitLock: number;
  createRepo: number;
  createBranch: number;
  deleteBranch: [number, string?];
  eraseBegin: number;
  eraseBatch: number;
  claimPart: number;
  partStored: number;
  releasePart: number;
  contentMark: unknown;
  contentFill: unknown;
}

/** Each script's file under src/, named with its key count; one without a count takes any number of keys. */
const files = {
  stage: 'workspaces/stage-9.lua',
  stageEdit: 'workspaces/stage-edit-5.lua',
  stageCollision: 'workspaces/stage-collision-4.lua',
  commit: 'history/commit-10.lua',
  snapshot: 'history/snapshot-4.lua',
  moveStaged: 'history/move-staged-6.lua',
  commitLock: 'history/commit-lock-1.lua',
  createRepo: 'history/create-repo-5.lua',
  createBranch: 'history/create-branch-2.lua',
  deleteBranch: 'history/delete-branch-1.lua',
  eraseBegin: 'history/erase-begin-2.lua',
  eraseBatch: 'history/erase-batch.lua',
  claimPart: 'uploads/claim-part-3.lua',
  partStored: 'uploads/part-stored-3.lua',
  releasePart: 'uploads/release-part-3.lua',
  contentMark: 'versions/content-mark-1.lua',
  contentFill: 'versions/content-fill-1.lua',
} as const satisfies Record<keyof Answers, string>;

/** The key count in a script's file name (the number after its last '-'), or undefined. */
type KeyCount<File extends string> = File extends `${string}-${infer Rest}`
  ? KeyCount<Rest>
  : File extends `${infer Count extends number}.lua`
    ? Count
    : undefined;

/** `Count` keys. */
type Keys<Count extends number, Acc extends readonly string[] = []> = Acc['length'] extends Count
  ? Acc
  : Keys<Count, readonly [...Acc, string]>;

/**
 * Runs a script with its keys (as many as its file name says, checked by the compiler) and its arguments.
 * Both are arrays, never spread into a call: a script may take an argument or two per file, and V8 throws
 * "Maximum call stack size exceeded" once a call has more than about 120,000 arguments.
 */
export type LuaCommand<Answer, Count = undefined> = (
  keys: Count extends number ? Keys<Count> : readonly string[],
  argv?: ReadonlyArray<string | number>,
) => Promise<Answer>;

export type LuaCommands = { [Name in keyof Answers]: LuaCommand<Answers[Name], KeyCount<(typeof files)[Name]>> };

/**
 * A script's text with each `-- @include <file>` line (a path relative to the including file)
 * replaced by that file, included once per script: shared Lua (staged entries, usage, staged
 * directories) is written once and defines its local functions once.
 */
function withIncludes(file: string, included: Set<string>): string {
  const path = normalize(file);
  if (included.has(path)) return '';
  included.add(path);
  return readFileSync(join(luaRoot, path), 'utf8').replace(/^-- @include (\S+)\n/gm, (_, name: string) =>
    withIncludes(join(dirname(path), name), included),
  );
}

/** Script texts, read once a process. */
const sources = new Map<string, string>();

function source(file: string): string {
  let text = sources.get(file);
  if (text === undefined) sources.set(file, (text = withIncludes(file, new Set())));
  return text;
}

function define(redis: RedisClient, name: string, file: string): LuaCommand<unknown> {
  const command = `sluice${name[0]!.toUpperCase()}${name.slice(1)}`;
  const counted = /-(\d+)\.lua$/.exec(file);
  const numberOfKeys = counted === null ? undefined : Number(counted[1]);
  redis.defineCommand(command, { lua: source(file), ...(numberOfKeys === undefined ? {} : { numberOfKeys }) });
  const run: unknown = Reflect.get(redis, command);
  if (typeof run !== 'function') throw new Error(`ioredis did not define ${command}`);
  // ioredis flattens array arguments one level (Command's args.flat()), so the lists go as they are
  return async (keys, argv = []) => {
    if (numberOfKeys === undefined) return run.call(redis, keys.length, keys, argv);
    if (keys.length !== numberOfKeys) throw new Error(`${file} takes ${numberOfKeys} keys, not ${keys.length}`);
    return run.call(redis, keys, argv);
  };
}

const defined = new WeakMap<RedisClient, LuaCommands>();

/** The Lua commands on `redis`, defined on it the first time they are asked for. */
export function luaCommands(redis: RedisClient): LuaCommands {
  let commands = defined.get(redis);
  if (commands === undefined) {
    const entries = Object.entries(files).map(([name, file]) => [name, define(redis, name, file)] as const);
    // the one place the answers' types are asserted: Redis gives whatever the script returns
    commands = Object.fromEntries(entries) as unknown as LuaCommands;
    defined.set(redis, commands);
  }
  return commands;
}
