import { randomUUID } from 'node:crypto';
import { afterAll, describe, expect, inject, it } from 'vitest';
// from dist/, as sluice runs it: tsc copies no .lua there, so this finds them the way a build does
import { luaCommands } from '../../dist/redis/lua-commands.js';
import { connectRedis } from '../../dist/redis/redis-client.js';

describe('Lua commands', () => {
  const redis = connectRedis({ urls: inject('redisUrl').split(','), cluster: inject('redisCluster') });
  const lua = luaCommands(redis);
  /** Keys under one hash tag, so one script may take them all on a cluster. */
  const tagged = () => {
    const tag = `{lua-test:${randomUUID()}}`;
    return (name: string) => `${tag}:${name}`;
  };
  afterAll(() => redis.disconnect());

  it('runs the scripts read from src/ when loaded from dist/', async () => {
    const key = tagged();
    const keys = [key('branches'), key('commits')];
    expect(await lua.createBranch(keys, ['main', 'c1', '1'])).toBe(1);
    expect(await lua.createBranch(keys, ['main', 'c1', '1'])).toBe(0);
    expect(await redis.hget(key('branches'), 'main')).toBe('c1');
    expect(await lua.deleteBranch([key('branches')], ['main'])).toEqual([-1, 'main']);
  });

  it('refuses keys that do not match the count in the file name, before Redis runs anything', async () => {
    const key = tagged();
    await expect(lua.createBranch([key('branches')], ['main', 'c1', '1'])).rejects.toThrow(/takes 2 keys, not 1/);
    expect(await redis.exists(key('branches'))).toBe(0);
  });

  it('gives a script without a key count every key it is handed', async () => {
    const key = tagged();
    await redis.set(key('mark'), '1');
    await redis.set(key('a'), 'x');
    await redis.set(key('b'), 'y');
    expect(await lua.eraseBatch([key('mark'), key('a'), key('b')])).toBe(2);
    expect(await redis.exists(key('a'), key('b'))).toBe(0);
    await redis.del(key('mark'));
    expect(await lua.eraseBatch([key('mark'), key('a')])).toBe(-1);
  });
});
