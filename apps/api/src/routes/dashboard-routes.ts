import type { Job } from 'bullmq';
import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { FastifyAdapter } from '@bull-board/fastify';
import {
  readJobFailure,
  type CommitJobData,
  type CommitJobResult,
  type IngestJobData,
  type IngestJobResult,
  type IngestProgress,
} from '@sluice/queue';
import type { AppServices } from '../app-services.js';
import { success } from '../oxen-envelope.js';
import { jobHeader } from './job-view.js';
import { dashboardPage } from './dashboard-page.js';
import type { TypedApp } from '../openapi/schema-kit.js';
import { ui, dashboard } from './dashboard-routes.schema.js';
import { foreignPages } from '../plugins/foreign-pages.js';
import { DashboardHistory } from './dashboard-history.js';

/** A failed job's reason as people read it: its code, then its message. */
function failedReason(reason: string): string {
  const { code, message } = readJobFailure(reason);
  return `${code}: ${message}`;
}

/** Where bull-board's queue dashboard lives (admin scope when auth is on). */
const queueBoardPrefix = '/admin/queues';
const recentJobs = 12;
type IngestJob = Job<IngestJobData, IngestJobResult, 'ingest'>;
type CommitJob = Job<CommitJobData, CommitJobResult, 'commit'>;
const queueStates = ['waiting', 'active', 'delayed', 'failed', 'completed'] as const;

/** One line of the recent-jobs table: counts, and the first errors, never the whole file list. */
async function jobSummary(job: IngestJob): Promise<Record<string, unknown>> {
  const result = job.returnvalue as IngestJobResult | null | undefined;
  const progress = job.progress as Partial<IngestProgress> | number;
  const errors = (result?.files ?? []).flatMap((f) =>
    'error' in f ? [{ path: f.path, code: f.error.code, message: f.error.message }] : [],
  );
  return {
    ...(await jobHeader(job, 'ingest')),
    files_total: job.data.parts.length,
    files_done: typeof progress === 'object' ? (progress.files_done ?? 0) : 0,
    bytes: job.data.bytes,
    staged: result?.paths.length ?? null,
    deduplicated: result?.deduplicated ?? null,
    failed: result ? errors.length : null,
    errors: errors.slice(0, 5),
    ...(job.failedReason ? { failed_reason: failedReason(job.failedReason) } : {}),
  };
}

/** A commit job's line: the workspace, the branch, and the commit once it landed or why it failed. */
async function commitSummary(job: CommitJob): Promise<Record<string, unknown>> {
  return {
    ...(await jobHeader(job, 'commit')),
    branch: job.data.branch,
    commit_id: job.returnvalue?.commit.id ?? null,
    errors: [],
    ...(job.failedReason ? { failed_reason: failedReason(job.failedReason) } : {}),
  };
}

/**
 * The operator's views: GET /ui (a live page), GET /api/dashboard (what it shows, for all nodes:
 * totals and queues come from Redis) and bull-board's queue dashboard under /admin/queues.
 */
export async function dashboardRoutes(
  app: TypedApp,
  { queue, commitQueue, staging, totals, workspaces: workspaceStore }: AppServices,
): Promise<void> {
  const history = new DashboardHistory(() => totals.read());
  app.addHook('onReady', async () => history.start());
  app.addHook('onClose', async () => history.stop());
  // the page holds no data: it asks for a token and reads /api/dashboard with it
  app.get('/ui', { schema: ui, config: { access: 'open' } }, async (_request, reply) =>
    reply.type('text/html; charset=utf-8').header('cache-control', 'no-store').send(dashboardPage),
  );

  app.get('/api/dashboard', { schema: dashboard, config: { access: 'admin' } }, async (request) => {
    const page = request.query.page ?? 1;
    // the newest jobs of both queues, a page at a time: enough of each to fill this page
    const upTo = page * recentJobs;
    const states = ['active', 'waiting', 'delayed', 'completed', 'failed'] as const;
    const [ingestCounts, commitCounts, workers, ingestTotals, ingestJobs, commitJobs] = await Promise.all([
      queue.getJobCounts(...queueStates),
      commitQueue.getJobCounts(...queueStates),
      queue.getWorkersCount(),
      totals.read(),
      queue.getJobs([...states], 0, upTo - 1),
      commitQueue.getJobs([...states], 0, upTo - 1),
    ]);
    const both = [
      ...ingestJobs
        .filter((job): job is IngestJob => job !== undefined)
        .map((job) => ({ at: job.timestamp, job, kind: 'ingest' as const })),
      ...commitJobs
        .filter((job): job is CommitJob => job !== undefined)
        .map((job) => ({ at: job.timestamp, job, kind: 'commit' as const })),
    ].sort((a, b) => b.at - a.at);
    const window = both.slice((page - 1) * recentJobs, page * recentJobs);
    const latest = window.flatMap((entry) => (entry.kind === 'ingest' ? [entry.job as IngestJob] : []));
    const workspaces = new Map<string, { namespace: string; repo: string; workspaceId: string }>();
    for (const job of latest) {
      const { namespace, repo, workspaceId } = job.data;
      if (job.data.stage) workspaces.set(`${namespace}/${repo}/${workspaceId}`, { namespace, repo, workspaceId });
    }
    return success('resource_found', {
      time: Date.now(),
      totals: ingestTotals,
      history: history.rates(),
      workers,
      queues: { ingest: ingestCounts, commit: commitCounts },
      recent_jobs: await Promise.all(
        window.map((entry) =>
          entry.kind === 'ingest' ? jobSummary(entry.job as IngestJob) : commitSummary(entry.job as CommitJob),
        ),
      ),
      page,
      more_jobs: both.length > page * recentJobs || ingestJobs.length >= upTo || commitJobs.length >= upTo,
      // workspaces of the recent jobs that still exist (a committed or deleted one is not a row of zeros)
      workspaces: (
        await Promise.all(
          [...workspaces.values()].map(async ({ namespace, repo, workspaceId }) => {
            if ((await workspaceStore.find(namespace, repo, workspaceId)) === null) return null;
            const usage = await staging.usage(namespace, repo, workspaceId);
            return {
              namespace,
              repo_name: repo,
              workspace_id: workspaceId,
              staged_files: usage.files,
              staged_bytes: usage.bytes,
            };
          }),
        )
      ).filter((w) => w !== null),
    });
  });

  const board = new FastifyAdapter();
  board.setBasePath(queueBoardPrefix);
  createBullBoard({ queues: [new BullMQAdapter(queue), new BullMQAdapter(commitQueue)], serverAdapter: board });
  await foreignPages(app, 'admin', async (scope) => {
    // bull-board's page links its fonts from Google: everything a sluice page uses comes from sluice
    // (the page falls back to the system's fonts)
    scope.addHook('onSend', async (_request, reply, payload) => {
      const html = typeof payload === 'string' && String(reply.getHeader('content-type') ?? '').startsWith('text/html');
      return html ? (payload as string).replace(/<link[^>]*fonts\.(googleapis|gstatic)\.com[^>]*>/g, '') : payload;
    });
    await scope.register(board.registerPlugin(), { prefix: queueBoardPrefix });
  });
}
