import { afterAll, describe, expect, it } from 'vitest';
import { startSluice, type SluiceProcess } from './support/sluice-process.js';
import { hasSwift, startSwiftS3, type S3Server } from './support/swift-s3-server.js';
import { testEnv } from './support/test-env.js';
import { repoWithWorkspace, send, stagedFiles, upload, waitForJob } from './support/oxen-http.js';

describe.skipIf(!hasSwift())('when the object store is unreachable for a while', () => {
  let swift: S3Server;
  let sluice: SluiceProcess;
  let worker: SluiceProcess | undefined;
  afterAll(async () => {
    await worker?.stop();
    await sluice?.stop();
    await swift?.stop();
  });

  // bounded by its own waits: Swift's restart, the worker's wait for the store, the job's retry backoff
  it(
    'answers 503 with Retry-After, lets queued jobs retry, and works again once it is back',
    { timeout: 240_000 },
    async () => {
      // a private Swift, so stopping it does not disturb the other tests
      swift = await startSwiftS3();
      const { env } = testEnv('fs');
      const bucket = `outage${Date.now().toString(36)}`;
      const storeEnv = {
        ...env,
        SLUICE_STORE: 's3',
        SLUICE_S3_ENDPOINT: swift.config.endpoint,
        SLUICE_S3_ACCESS_KEY: swift.config.accessKey,
        SLUICE_S3_SECRET_KEY: swift.config.secretKey,
        SLUICE_S3_BUCKET: bucket,
        SLUICE_S3_REGION: swift.config.region,
      };
      sluice = await startSluice({ ...storeEnv, SLUICE_ROLE: 'api' });
      worker = await startSluice({ ...storeEnv, SLUICE_ROLE: 'worker' });
      const ws = await repoWithWorkspace(sluice.url, 'ox', 'outage', 'ws');
      // a job queued before the outage while its worker is frozen: it meets the outage when it runs
      worker.child.kill('SIGSTOP');
      const queued = await upload(
        sluice.url,
        `${ws}/files/d`,
        [{ filename: 'queued.txt', content: 'queued before', gzip: true }],
        { prefer: 'respond-async' },
      );
      expect(queued.status).toBe(202);
      await swift.pause();
      const down = Date.now();
      worker.child.kill('SIGCONT');
      const refused = await upload(sluice.url, `${ws}/files/d`, [{ filename: 'a.txt', content: 'while down' }]);
      expect(refused.status).toBe(503);
      expect(refused.headers['retry-after']).toBe('5');
      expect(refused.json()).toMatchObject({ status: 'error', error: { type: 'store_unavailable' } });
      const ready = await send(sluice.url, 'GET', '/api/ready');
      expect(ready.status).toBe(503);
      expect(ready.json().store).toBe('unreachable');
      expect((await send(sluice.url, 'GET', '/api/health')).status).toBe(200);
      // a worker started during the outage waits for the store instead of exiting
      // (it may wait as long as the outage and Swift's own restart take)
      const late = startSluice({ ...storeEnv, SLUICE_ROLE: 'worker' }, [], 120_000);

      // about ten seconds of outage
      await new Promise((r) => setTimeout(r, Math.max(0, 10_000 - (Date.now() - down))));
      await swift.resume();
      const lateWorker = await late;
      expect(lateWorker.output()).toMatch(/object store unreachable; waiting for it/);
      await lateWorker.stop();
      const after = await upload(sluice.url, `${ws}/files/d`, [{ filename: 'b.txt', content: 'after', gzip: true }], {
        prefer: 'respond-async',
      });
      expect(after.status).toBe(202);
      const job = await waitForJob(sluice.url, after.headers.location as string, 60_000);
      expect(job).toMatchObject({ state: 'completed', paths: ['d/b.txt'] });
      const retried = await waitForJob(sluice.url, queued.headers.location as string, 90_000);
      expect(retried.state).toBe('completed');
      expect(retried.attempts).toBeGreaterThan(0);
      expect([...(await stagedFiles(sluice.url, ws)).keys()].sort()).toEqual(['d/b.txt', 'd/queued.txt']);
      expect((await send(sluice.url, 'GET', '/api/ready')).status).toBe(200);
    },
  );
});
