import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stagedEntry as entry, stagingStep } from './support/staging-step.js';
import { connectRedis, RedisKeys, StagingIndex, type RedisClient } from '@sluice/repository';
import { startRedisServer, type RedisServer } from './support/redis-server.js';

const repoUuid = 'a1b2c3d4-0000-4000-8000-000000000002';
const step = stagingStep(repoUuid);
/** `count` files, each in a directory of its own: more than one Redis command reads (1,000 fields). */
const spread = (prefix: string, count: number) =>
  new Map(Array.from({ length: count }, (_, i) => [`${prefix}${i}/f.txt`, entry(`${prefix}${i}`)] as const));

/**
 * The collision rule and the directory counts cost a few Redis commands per batch, not some per
 * file or per directory: a Redis of its own, as INFO commandstats counts every client's commands
 * (a script's inner calls included).
 */
describe('staging a batch on Redis', () => {
  let server: RedisServer;
  let redis: RedisClient;
  const keys = new RedisKeys('trips');
  let staging: StagingIndex;
  const commands = async () => {
    const info = await redis.info('commandstats');
    return [...info.matchAll(/calls=(\d+)/g)].reduce((sum, match) => sum + Number(match[1]), 0);
  };
  /** The commands Redis ran for `work`, the INFO that reads them aside. */
  const commandsOf = async (work: () => Promise<unknown>) => {
    const before = await commands();
    await work();
    return (await commands()) - before - 1;
  };

  beforeAll(async () => {
    server = await startRedisServer();
    redis = connectRedis({ urls: [server.url], cluster: false });
    staging = new StagingIndex(redis, keys);
    await redis.hset(keys.repo('ox', 'r'), 'json', JSON.stringify({ namespace: 'ox', name: 'r', uuid: repoUuid }));
    await redis.hset(keys.workspaces('ox', 'r'), 'w', '{}');
    await staging.apply(
      step(
        'seed',
        new Map([
          ['taken', entry('t')],
          ['dir/x', entry('x')],
        ]),
      ),
    );
    // loads the collision script, so the counts below hold no failed EVALSHA
    await staging.collisionOf('ox', 'r', 'w', ['warm']);
  });
  afterAll(async () => {
    redis?.disconnect();
    await server?.stop();
  });

  it('checks and stages 2,500 files in as many directories with a few dozen commands', async () => {
    const files = spread('d', 2500);
    let found: unknown;
    const checkCost = await commandsOf(
      async () => (found = await staging.collisionOf('ox', 'r', 'w', [...files.keys()])),
    );
    const stageCost = await commandsOf(() => staging.apply(step('many', files)));
    expect(found).toBeNull();
    // three script calls (1,000 paths each), each an EXISTS and an HMGET of the paths' counts and their parents
    expect(checkCost).toBe(3 * 4);
    expect(stageCost).toBeLessThan(50);
    expect(await staging.count('ox', 'r', 'w')).toBe(2502);
  });

  it('counts every directory of a large batch, so both sides of the rule are refused after it', async () => {
    expect(await staging.collisionOf('ox', 'r', 'w', ['d0', 'd2499'])).toEqual({ path: 'd0', staged: 'd0' });
    expect(await staging.collisionOf('ox', 'r', 'w', ['d2499'])).toEqual({ path: 'd2499', staged: 'd2499' });
    expect(await staging.collisionOf('ox', 'r', 'w', ['d1999/f.txt/y'])).toEqual({
      path: 'd1999/f.txt/y',
      staged: 'd1999/f.txt',
    });
  });

  it('refuses a large batch whole at its first colliding file, in the order given, with either side', async () => {
    const refused = async (last: string[]) => {
      const files = new Map([...spread('e', 1500), ...last.map((path) => [path, entry(path)] as const)]);
      return {
        before: await staging.collisionOf('ox', 'r', 'w', [...files.keys()]),
        atomic: await staging.apply(step(`refused-${last[0]}`, files)),
      };
    };
    const underFile = { path: 'taken/y', staged: 'taken' };
    const overFiles = { path: 'dir', staged: 'dir' };
    expect(await refused(['taken/y', 'dir'])).toEqual({ before: underFile, atomic: underFile });
    expect(await refused(['dir', 'taken/y'])).toEqual({ before: overFiles, atomic: overFiles });
    expect(await staging.count('ox', 'r', 'w')).toBe(2502);
    expect(await staging.collisionOf('ox', 'r', 'w', ['e0'])).toBeNull();
  });

  it('drops the counts of directories left empty by unstaging, keeping the others', async () => {
    const paths = [...spread('d', 2500).keys()];
    expect((await staging.unstage('ox', 'r', 'w', paths)).length).toBe(2500);
    expect(await redis.hkeys(keys.stagedDirs('ox', 'r', 'w'))).toEqual(['dir']);
    expect(await redis.hget(keys.stagedDirs('ox', 'r', 'w'), 'dir')).toBe('1');
    expect(await staging.collisionOf('ox', 'r', 'w', ['d2499', 'd7/f.txt/y'])).toBeNull();
  });
});
