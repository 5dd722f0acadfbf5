import { afterAll, describe, expect, it } from 'vitest';
import { connectRedis, UploadStore } from '@sluice/repository';
import { testRedisTarget } from './support/test-env.js';
import { waitFor } from './support/wait-for.js';

/** The claims on a resumable upload's parts (issue 26, item 2): they lapse, and only their holder gives them up. */
describe('part claims of resumable uploads', () => {
  const redis = connectRedis(testRedisTarget());
  const uploads = new UploadStore(redis, `claims${Date.now().toString(36)}`);
  afterAll(() => redis.disconnect());
  const plan = {
    namespace: 'ox',
    repo: 'r',
    hash: 'ab',
    size: 20,
    partSize: 10,
    numParts: 2,
    partWindow: 2,
    destination: null,
  };

  it('lapses when its request neither stores the part nor gives it up (an API node died mid-part)', async () => {
    const upload = await uploads.begin(plan);
    const first = await uploads.claimPart(upload.id, 1, 1);
    expect(first.state).toBe('claimed');
    expect((await uploads.claimPart(upload.id, 1, 1)).state).toBe('busy');
    let second = first;
    await waitFor(
      'the claim to lapse',
      async () => {
        second = await uploads.claimPart(upload.id, 1, 60);
        return second.state !== 'busy';
      },
      10_000,
      100,
    );
    expect(second.state).toBe('claimed');
    // the lapsed holder giving up its claim late does not free the part under the new holder
    if (first.state === 'claimed') await uploads.releasePart(upload.id, 1, first.token);
    expect((await uploads.claimPart(upload.id, 1)).state).toBe('busy');
    if (second.state === 'claimed') await uploads.releasePart(upload.id, 1, second.token);
    expect((await uploads.claimPart(upload.id, 1)).state).toBe('claimed');
  });

  it('is dropped once the part is stored: a resend is accepted and ignored', async () => {
    const upload = await uploads.begin(plan);
    expect((await uploads.claimPart(upload.id, 2)).state).toBe('claimed');
    expect(await uploads.partStored(upload.id, 2)).toBe(false);
    expect((await uploads.claimPart(upload.id, 2)).state).toBe('already_stored');
    expect((await uploads.claimPart(upload.id, 1)).state).toBe('claimed');
    expect(await uploads.partStored(upload.id, 1)).toBe(true);
  });
});
