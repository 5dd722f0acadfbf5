import { afterAll, describe, expect, it } from 'vitest';
import { connectRedis, RedisKeys } from '@sluice/repository';
import { DigestBoard } from '@sluice/ingest';
import { testRedisTarget } from './support/test-env.js';

describe('the digest board on Redis', () => {
  const redis = connectRedis(testRedisTarget());
  const keys = new RedisKeys(`digest${Date.now().toString(36)}`);
  const board = new DigestBoard(redis, keys);
  afterAll(() => redis.disconnect());

  it('lists the chunks in order as the API writes them, then the end, and expires', async () => {
    await board.chunkWritten('d1', 0, 'spool/r/0');
    expect(await board.read('d1')).toEqual({
      chunks: ['spool/r/0'],
      ended: false,
      aborted: false,
      owner: null,
      beat: 0,
      result: null,
    });
    await board.chunkWritten('d1', 1, 'spool/r/1');
    await board.chunkWritten('d1', 2, 'spool/r/2');
    await board.end('d1');
    const state = await board.read('d1');
    expect(state.chunks).toEqual(['spool/r/0', 'spool/r/1', 'spool/r/2']);
    expect(state.ended).toBe(true);
    expect(await redis.ttl(keys.digestBoard('d1'))).toBeGreaterThan(3600);
  });

  it('gives the part to whichever of the digest and the ingest job claims it first, once', async () => {
    await board.chunkWritten('d2', 0, 'spool/r/0');
    expect(await board.claim('d2', 'ingest')).toBe('ingest');
    expect(await board.claim('d2', 'digest')).toBe('ingest');
    await board.chunkWritten('d3', 0, 'spool/s/0');
    const [a, b] = await Promise.all([board.claim('d3', 'digest'), board.claim('d3', 'ingest')]);
    expect(a).toBe(b);
  });

  it('carries the heartbeat, the abort mark and the result', async () => {
    await board.chunkWritten('d4', 0, 'spool/t/0');
    const before = Date.now();
    await board.beat('d4');
    await board.abort('d4');
    await board.finish('d4', { kind: 'fallback', reason: 'the upload failed' });
    const state = await board.read('d4');
    expect(state.beat).toBeGreaterThanOrEqual(before);
    expect(state.aborted).toBe(true);
    expect(state.result).toEqual({ kind: 'fallback', reason: 'the upload failed' });
  });

  it(
    'wakes a waiter when the other side changes the board, ' +
      'without polling it, and keeps a signal nobody waited for',
    async () => {
      const outcome = (wait: Promise<void>) =>
        Promise.race([
          wait.then(() => 'woken'),
          new Promise((resolve) => setTimeout(() => resolve('still waiting'), 10_000)),
        ]);
      const digest = board.waiter('d5', 'digest');
      const waiting = outcome(digest.wait(60_000));
      await new Promise((resolve) => setTimeout(resolve, 200));
      await board.chunkWritten('d5', 0, 'spool/u/0');
      expect(await waiting).toBe('woken');
      // the result lands before the ingest job waits: its first wait returns at once
      await board.finish('d5', { kind: 'fallback', reason: 'test' });
      const ingest = board.waiter('d5', 'ingest');
      expect(await outcome(ingest.wait(60_000))).toBe('woken');
      digest.close();
      ingest.close();
      // many changes nobody waits for leave a short list, not a growing one
      for (let i = 1; i < 20; i++) await board.chunkWritten('d5', i, `spool/u/${i}`);
      expect(await redis.llen(keys.digestSignal('d5', 'digest'))).toBeLessThanOrEqual(4);
      expect(await redis.ttl(keys.digestSignal('d5', 'digest'))).toBeGreaterThan(3600);
    },
  );
});
