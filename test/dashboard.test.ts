import { existsSync, mkdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromium, type Browser, type Page } from 'playwright-core';
import { startSluice, type SluiceProcess } from './support/sluice-process.js';
import { testEnv } from './support/test-env.js';
import { repoRoot } from './support/repo-root.js';
import { repoWithWorkspace, send, upload } from './support/oxen-http.js';

/** Debian's Chromium (.ci/run installs it); CHROMIUM_PATH points elsewhere. */
const executablePath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const outputDir = join(repoRoot(), 'test-output');

describe.skipIf(!existsSync(executablePath))('the ingest page (/ui) and the queue dashboard in a real Chromium', () => {
  let sluice: SluiceProcess;
  let browser: Browser;
  let page: Page;
  beforeAll(async () => {
    sluice = await startSluice(testEnv('fs').env);
    browser = await chromium.launch({ executablePath, headless: true, args: ['--no-sandbox'] });
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  });
  afterAll(async () => {
    await browser?.close();
    await sluice?.stop();
  });

  const cell = (id: string) => page.locator(`[data-testid="${id}"]`);

  it('shows totals, the recent job with its failed file, and the workspace staged counts, live', async () => {
    const ws = await repoWithWorkspace(sluice.url, 'ox', 'dash', 'ws');
    const first = await upload(sluice.url, `${ws}/files/d`, [
      { filename: 'a.csv', content: 'x,y\n1,2\n', gzip: true },
      { filename: 'b.csv', content: 'x,y\n3,4\n', gzip: true },
      { filename: 'bad.bin', content: Buffer.from('not gzip at all'), contentType: 'application/gzip' },
    ]);
    expect(first.json().paths).toEqual(['d/a.csv', 'd/b.csv']);

    await page.goto(`${sluice.url}/ui`);
    await expect.poll(() => cell('files-total').textContent(), { timeout: 15_000 }).toBe('2');
    expect(await cell('workers').textContent()).toBe('1');
    const jobRow = cell('jobs').locator('tr').first();
    // the job completed, but one of its files failed: marked as such, not a clean green
    await expect.poll(() => jobRow.textContent()).toContain('completed, 1 file failed');
    expect(await jobRow.locator('td').nth(1).getAttribute('class')).toContain('state-partial');
    expect(await cell('files-failed').textContent()).toBe('1');
    const jobText = await jobRow.textContent();
    expect(jobText).toContain('ox/dash · ws');
    expect(jobText).toContain('3 / 3');
    expect(jobText).toContain('d/bad.bin: corrupt_gzip');
    expect(await cell('workspaces').textContent()).toContain('ox/dash');
    expect(await cell('workspaces').locator('tr').first().locator('td').nth(2).textContent()).toBe('2');
    expect(await cell('workspaces').locator('tr').first().locator('td').nth(3).textContent()).toMatch(/^\d+ B$/);

    // the per-file results of a job, on a click
    await jobRow.click();
    await expect.poll(() => cell('job-files').locator('tr').count()).toBe(3);
    const files = await cell('job-files').textContent();
    expect(files).toContain('d/a.csv');
    expect(files).toMatch(/d\/bad\.bin\s*corrupt_gzip/);

    // an upload made while the page is open shows up without a reload
    const names = Array.from({ length: 20 }, (_, i) => ({
      filename: `more/${i}.txt`,
      content: `row ${i}\n`,
      gzip: true,
    }));
    expect((await upload(sluice.url, `${ws}/files/`, names)).status).toBe(200);
    await expect.poll(() => cell('files-total').textContent(), { timeout: 15_000 }).toBe('22');
    await expect.poll(() => cell('workspaces').locator('tr').first().locator('td').nth(2).textContent()).toBe('22');
    expect(await cell('jobs').locator('tr').count()).toBe(2);
    // the rates over time: a line with a point per refresh since the page opened
    await expect
      .poll(
        async () =>
          ((await page.locator('#spark-files').getAttribute('points')) ?? '').split(' ').filter(Boolean).length,
        { timeout: 15_000 },
      )
      .toBeGreaterThan(1);
    // commit jobs are listed beside ingest jobs; one page holds them all here
    const commit = await send(sluice.url, 'POST', `${ws}/commit/main`, {
      headers: { 'content-type': 'application/json', prefer: 'respond-async' },
      body: JSON.stringify({ message: 'from the test', author: 'ox', email: 'ox@example.com' }),
    });
    expect(commit.status).toBe(202);
    await expect
      .poll(() => cell('jobs').locator('tr').first().textContent(), { timeout: 15_000 })
      .toMatch(/commit → main.*commit [0-9a-f]+/);
    expect(await cell('older').isDisabled()).toBe(true);
    expect(await cell('page').textContent()).toBe('page 1');

    mkdirSync(outputDir, { recursive: true });
    const shot = join(outputDir, 'ui-dashboard.png');
    await page.screenshot({ path: shot, fullPage: true });
    expect(statSync(shot).size).toBeGreaterThan(10_000);
  });

  it(
    'opened in the middle of a push, draws the minutes before from the server, ' +
      'with axes and rates, counting commits and every completed job',
    async () => {
      const ws = await repoWithWorkspace(sluice.url, 'ox', 'history', 'ws');
      // a push of 110 small jobs (past the 100 a board might stop at), then a synchronous commit
      for (let round = 0; round < 11; round++) {
        await Promise.all(
          Array.from({ length: 10 }, (_, i) =>
            upload(sluice.url, `${ws}/files/h`, [
              { filename: `${round}-${i}.txt`, content: `row ${round} ${i}\n`, gzip: true },
            ]),
          ),
        );
      }
      const commit = await send(sluice.url, 'POST', `${ws}/merge/main`, {
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ message: 'sync', author: 'ox', email: 'ox@example.com' }),
      });
      expect(commit.status).toBe(200);
      // the server has kept rates since it started: several readings, some of them of this push
      const dashboard = async () => (await send(sluice.url, 'GET', '/api/dashboard')).json();
      await expect
        .poll(
          async () =>
            (await dashboard()).history.filter((s: { files_per_second: number }) => s.files_per_second > 0).length,
          { timeout: 60_000 },
        )
        .toBeGreaterThan(0);
      const data = await dashboard();
      expect(data.history.length).toBeGreaterThan(2);

      const fresh = await browser.newPage({ viewport: { width: 1280, height: 900 } });
      const elsewhere: string[] = [];
      fresh.on('request', (request) => {
        if (!request.url().startsWith(sluice.url)) elsewhere.push(request.url());
      });
      try {
        await fresh.goto(`${sluice.url}/ui`);
        const at = (id: string) => fresh.locator(`[data-testid="${id}"]`);
        await expect.poll(() => at('status').textContent(), { timeout: 15_000 }).toMatch(/^updated/);
        // at its first refresh, the chart already holds the server's readings
        const points = ((await fresh.locator('#spark-files').getAttribute('points')) ?? '').split(' ').filter(Boolean);
        expect(points.length).toBeGreaterThan(2);
        expect(await at('axis-files-max').textContent()).toMatch(/^[\d.]+ files\/s$/);
        expect(await at('axis-bytes-max').textContent()).toMatch(/^[\d.]+ MiB\/s$/);
        expect(await at('axis-start').textContent()).toBe('−5 min');
        expect(await at('files-rate').textContent()).toMatch(/^\d+\.\d$/);
        expect(await at('bytes-rate').textContent()).toMatch(/^\d+\.\d$/);
        // two commits so far: the asynchronous one of the test above, and this synchronous one
        expect(await at('commits-total').textContent()).toBe('2');
        const completed = Number(await at('queue-completed').textContent());
        expect(completed).toBe(data.queues.ingest.completed + data.queues.commit.completed);
        expect(completed).toBeGreaterThan(110);
        // the queue board too: everything it loads comes from sluice, and its counts are not capped
        await fresh.goto(`${sluice.url}/admin/queues`, { waitUntil: 'networkidle' });
        expect(elsewhere).toEqual([]);
        const board = (
          await send(sluice.url, 'GET', '/admin/queues/api/queues?activeQueue=ingest&status=completed')
        ).json() as {
          queues: Array<{ name: string; counts: Record<string, number> }>;
        };
        expect(board.queues.find((queue) => queue.name === 'ingest')!.counts.completed).toBe(
          data.queues.ingest.completed,
        );
        expect(board.queues.find((queue) => queue.name === 'commit')!.counts.completed).toBe(
          data.queues.commit.completed,
        );
      } finally {
        await fresh.close();
      }
    },
  );

  it('serves the bull-board queue dashboard under /admin/queues', async () => {
    const all = (await send(sluice.url, 'GET', '/api/dashboard')).json() as {
      recent_jobs: Array<{ id: string; kind: string }>;
    };
    const jobs = all.recent_jobs.filter((job) => job.kind === 'ingest').slice(0, 2);
    expect(jobs.length).toBe(2);
    await page.goto(`${sluice.url}/admin/queues/queue/ingest?status=completed`);
    // the two jobs of the test above, listed by bull-board from Redis
    for (const job of jobs)
      await expect.poll(() => page.locator('body').innerText(), { timeout: 15_000 }).toContain(job.id);
    await page.screenshot({ path: join(outputDir, 'queue-dashboard.png') });
  });
});
