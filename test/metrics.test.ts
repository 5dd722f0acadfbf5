import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSluice, type SluiceProcess } from './support/sluice-process.js';
import { testEnv } from './support/test-env.js';
import { waitFor } from './support/wait-for.js';
import { repoWithWorkspace, send, upload, type Part } from './support/oxen-http.js';

/** Every sample of a Prometheus text exposition, keyed by name and sorted labels. */
function samples(text: string): Map<string, number> {
  const found = new Map<string, number>();
  for (const line of text.split('\n')) {
    const match = /^([a-z_:][a-z0-9_:]*)(\{.*\})? (\S+)$/i.exec(line);
    if (match) found.set(`${match[1]}${match[2] ?? ''}`, Number(match[3]));
  }
  return found;
}

async function scrape(base: string): Promise<Map<string, number>> {
  const reply = await send(base, 'GET', '/metrics');
  expect(reply.status).toBe(200);
  expect(reply.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
  return samples(reply.body.toString());
}

const csv = (rows: number, seed: string) => Array.from({ length: rows }, (_, i) => `${seed},${i},${i * 7}\n`).join('');

describe('Prometheus metrics', () => {
  describe('one process (API and worker)', () => {
    let sluice: SluiceProcess;
    beforeAll(async () => {
      sluice = await startSluice(testEnv('fs').env);
    });
    afterAll(async () => sluice?.stop());

    it(
      'counts requests by route pattern, stages and bytes, ' + 'stored and deduplicated files, and the queue depth',
      async () => {
        const ws = await repoWithWorkspace(sluice.url, 'ox', 'metrics', 'ws');
        const parts: Part[] = [
          { filename: 'a.csv', content: csv(200, 'a'), gzip: true },
          { filename: 'b.csv', content: csv(300, 'b'), gzip: true },
          { filename: 'same-as-a.csv', content: csv(200, 'a'), gzip: false },
        ];
        expect((await upload(sluice.url, `${ws}/files/data`, parts)).status).toBe(200);
        // the worker counts the job once BullMQ has recorded it, which may be just after the answer
        await waitFor(
          'the job to be counted',
          async () => (await scrape(sluice.url)).get('sluice_jobs_total{queue="ingest",result="completed"}') === 1,
        );
        const m = await scrape(sluice.url);

        const route = '/api/repos/:namespace/:repo/workspaces/:workspaceId/files/*';
        expect(m.get(`sluice_http_request_duration_seconds_count{method="POST",route="${route}",status="200"}`)).toBe(
          1,
        );
        // route patterns, never raw paths
        expect([...m.keys()].some((k) => k.includes('/ox/metrics'))).toBe(false);

        const inflated = csv(200, 'a').length * 2 + csv(300, 'b').length;
        expect(m.get('sluice_stage_bytes_total{stage="hash"}')).toBe(inflated);
        expect(m.get('sluice_stage_bytes_total{stage="gunzip"}')).toBe(csv(200, 'a').length + csv(300, 'b').length);
        expect(m.get('sluice_stage_bytes_total{stage="store"}')).toBe(csv(200, 'a').length + csv(300, 'b').length);
        expect(m.get('sluice_stage_bytes_total{stage="spool"}')).toBeGreaterThan(csv(200, 'a').length);
        for (const stage of ['spool', 'gunzip', 'hash', 'store', 'stage']) {
          expect(m.get(`sluice_stage_duration_seconds_count{stage="${stage}"}`), stage).toBeGreaterThan(0);
        }
        expect(m.get('sluice_ingested_files_total{outcome="stored"}')).toBe(2);
        expect(m.get('sluice_ingested_files_total{outcome="deduplicated"}')).toBe(1);
        expect(m.get('sluice_deduplicated_bytes_total')).toBe(csv(200, 'a').length);
        expect(m.get('sluice_jobs_total{queue="ingest",result="completed"}')).toBe(1);
        expect(m.get('sluice_queue_jobs{queue="ingest",state="waiting"}')).toBe(0);
        expect(m.get('sluice_queue_jobs{queue="ingest",state="failed"}')).toBe(0);
        expect(m.get('sluice_worker_threads{kind="threads"}')).toBe(2);
        // the threads inflated and hashed these uploads: busy time is counted, utilisation above zero
        expect(m.get('sluice_worker_thread_busy_seconds_total')!).toBeGreaterThan(0);
        const utilization = m.get('sluice_worker_thread_utilization')!;
        expect(utilization).toBeGreaterThan(0);
        expect(utilization).toBeLessThanOrEqual(1);
        // series that have seen no event yet exist at 0
        expect(m.get('sluice_digests_total{result="streamed_again"}')).toBe(0);
        expect(m.get('sluice_dependency_errors_total{dependency="store"}')).toBe(0);
        expect(m.has('process_resident_memory_bytes')).toBe(true);

        // a corrupt part fails alone (the request is still a 200 without it); a bad route is a 404
        const bad = await upload(sluice.url, `${ws}/files/data`, [
          { filename: 'broken.csv', content: Buffer.from('not gzip'), contentType: 'application/gzip' },
        ]);
        expect(bad.json().paths).toEqual([]);
        expect((await send(sluice.url, 'GET', '/api/nowhere')).status).toBe(404);
        const after = await scrape(sluice.url);
        expect(
          after.get(`sluice_http_request_duration_seconds_count{method="POST",route="${route}",status="200"}`),
        ).toBe(2);
        expect(
          after.get('sluice_http_request_duration_seconds_count{method="GET",route="unmatched",status="404"}'),
        ).toBe(1);
        expect(after.get('sluice_ingested_files_total{outcome="failed"}')).toBe(1);
        expect(after.get('sluice_ingested_files_total{outcome="stored"}')).toBe(2);
      },
    );
  });

  describe('separate API and worker processes', () => {
    const nodes: SluiceProcess[] = [];
    afterAll(async () => {
      for (const node of nodes) await node.stop();
    });

    it(
      'an API node is ready once a worker serves the queue; ' +
        'each worker serves its own metrics on SLUICE_METRICS_PORT',
      async () => {
        const { env } = testEnv('fs');
        const api = await startSluice({ ...env, SLUICE_ROLE: 'api' });
        nodes.push(api);
        const alone = await send(api.url, 'GET', '/api/ready');
        expect(alone.status).toBe(503);
        expect(alone.headers['retry-after']).toBe('5');
        expect(alone.json()).toMatchObject({
          status: 'error',
          error: { type: 'no_workers' },
          redis: 'ok',
          store: 'ok',
          workers: 0,
        });
        const worker = await startSluice({ ...env, SLUICE_ROLE: 'worker' });
        nodes.push(worker);
        await waitFor(
          'the API node to be ready',
          async () => (await send(api.url, 'GET', '/api/ready')).status === 200,
        );
        expect((await send(api.url, 'GET', '/api/ready')).json()).toMatchObject({
          redis: 'ok',
          store: 'ok',
          workers: 1,
        });

        const ws = await repoWithWorkspace(api.url, 'ox', 'split', 'ws');
        expect(
          (await upload(api.url, `${ws}/files/`, [{ filename: 'x.csv', content: csv(50, 'x'), gzip: true }])).status,
        ).toBe(200);

        const fromWorker = await scrape(worker.metricsUrl);
        expect(fromWorker.get('sluice_ingested_files_total{outcome="stored"}')).toBe(1);
        expect(fromWorker.get('sluice_stage_bytes_total{stage="hash"}')).toBe(csv(50, 'x').length);
        // the spool is the API's stage; HTTP series are the API's
        expect(fromWorker.get('sluice_stage_bytes_total{stage="spool"}') ?? 0).toBe(0);
        expect([...fromWorker.keys()].some((k) => k.startsWith('sluice_http_'))).toBe(false);

        const fromApi = await scrape(api.url);
        expect(fromApi.get('sluice_stage_bytes_total{stage="spool"}')).toBeGreaterThan(0);
        expect(fromApi.get('sluice_ingested_files_total{outcome="stored"}') ?? 0).toBe(0);
        expect((await send(worker.metricsUrl, 'GET', '/elsewhere')).status).toBe(404);
      },
    );
  });
});
