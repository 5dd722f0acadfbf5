import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSluice, type SluiceProcess } from './support/sluice-process.js';
import { testEnv } from './support/test-env.js';
import { repoWithWorkspace, upload, waitForJob } from './support/oxen-http.js';
import { waitFor } from './support/wait-for.js';

describe('logs', () => {
  let sluice: SluiceProcess;
  beforeAll(async () => {
    sluice = await startSluice(testEnv('fs', { SLUICE_LOG_LEVEL: 'info' }).env);
  });
  afterAll(async () => sluice?.stop());

  it(
    'are JSON lines off a terminal, ' +
      'with the request id on request lines and the job id on worker lines, and no file contents',
    async () => {
      const ws = await repoWithWorkspace(sluice.url, 'ox', 'logged', 'ws');
      const marker = 'CONTENT-THAT-MUST-NOT-BE-LOGGED';
      const accepted = await upload(
        sluice.url,
        `${ws}/files/d`,
        [
          { filename: 'a.txt', content: `${marker} a`, gzip: true },
          { filename: 'bad.txt', content: Buffer.from(marker), contentType: 'application/gzip' },
        ],
        { 'x-oxen-request-id': 'trace-42', prefer: 'respond-async' },
      );
      expect(accepted.status).toBe(202);
      expect(accepted.headers['x-oxen-request-id']).toBe('trace-42');
      const job = await waitForJob(sluice.url, accepted.headers.location as string);
      const jobId = String(job.id);

      const lines = () =>
        sluice
          .output()
          .split('\n')
          .filter((line) => line.startsWith('{'));
      await waitFor('the job line', () => lines().some((line) => line.includes('ingest job completed')));
      const records = lines().map((line) => JSON.parse(line) as Record<string, unknown>);
      expect(
        sluice
          .output()
          .split('\n')
          .filter((l) => l.trim() !== '')
          .every((l) => l.startsWith('{')),
      ).toBe(true);

      const requestLines = records.filter((r) => r.reqId === 'trace-42');
      expect(requestLines.map((r) => r.msg)).toEqual(expect.arrayContaining(['incoming request', 'request completed']));
      const jobLine = records.find((r) => r.msg === 'ingest job completed' && r.jobId === jobId);
      expect(jobLine).toMatchObject({
        files: 2,
        staged: 1,
        failed: 1,
        failures: [{ path: 'd/bad.txt', code: 'corrupt_gzip' }],
      });
      expect(typeof jobLine?.ms).toBe('number');
      expect(sluice.output()).not.toContain(marker);
    },
  );
});
