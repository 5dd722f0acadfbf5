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
    const names = Array.from({ length: 20 }, (_, i) => ({ filename: `more/${i}.txt`, content: `row ${i}\n`, gzip: true }));
    expect((await upload(sluice.url, `${ws}/files/`, names)).status).toBe(200);
    await expect.poll(() => cell('files-total').textContent(), { timeout: 15_000 }).toBe('22');
    await expect.poll(() => cell('workspaces').locator('tr').first().locator('td').nth(2).textContent()).toBe('22');
    expect(await cell('jobs').locator('tr').count()).toBe(2);
    // the rates over time: a line with a point per refresh since the page opened
    await expect.poll(async () => ((await page.locator('#spark-files').getAttribute('points')) ?? '').split(' ').filter(Boolean).length, { timeout: 15_000 }).toBeGreaterThan(1);
    // commit jobs are listed beside ingest jobs; one page holds them all here
    const commit = await send(sluice.url, 'POST', `${ws}/commit/main`, { headers: { 'content-type': 'application/json', prefer: 'respond-async' }, body: JSON.stringify({ message: 'from the test', author: 'ox', email: 'ox@example.com' }) });
    expect(commit.status).toBe(202);
    await expect.poll(() => cell('jobs').locator('tr').first().textContent(), { timeout: 15_000 }).toMatch(/commit → main.*commit [0-9a-f]+/);
    expect(await cell('older').isDisabled()).toBe(true);
    expect(await cell('page').textContent()).toBe('page 1');

    mkdirSync(outputDir, { recursive: true });
    const shot = join(outputDir, 'ui-dashboard.png');
    await page.screenshot({ path: shot, fullPage: true });
    expect(statSync(shot).size).toBeGreaterThan(10_000);
  });

  it('serves the bull-board queue dashboard under /admin/queues', async () => {
    const all = (await send(sluice.url, 'GET', '/api/dashboard')).json() as { recent_jobs: Array<{ id: string; kind: string }> };
    const jobs = all.recent_jobs.filter((job) => job.kind === 'ingest');
    expect(jobs.length).toBe(2);
    await page.goto(`${sluice.url}/admin/queues/queue/ingest?status=completed`);
    // the two jobs of the test above, listed by bull-board from Redis
    for (const job of jobs) await expect.poll(() => page.locator('body').innerText(), { timeout: 15_000 }).toContain(job.id);
    await page.screenshot({ path: join(outputDir, 'queue-dashboard.png') });
  });
});
