import { SluiceError, type ErrorCode, type Limits } from '@sluice/core';
import {
  type ObjectStore,
  type RepoStore,
  type StagingIndex,
  type VersionIndex,
  type VersionWriter,
  type WorkspaceQuota,
  type WorkspaceStore,
} from '@sluice/repository';
import type { IngestJobData, IngestJobResult } from '@sluice/queue';
import type { BlobStore } from '@sluice/storage';
import type { InflateTask, InflateTaskResult } from './threads/inflate-task.js';
import type { DigestBoard } from './digest-board.js';
import { stageFiles } from './stage-files.js';
import { misplacement } from './misplacement.js';
import type { FileOutcome } from './file-outcome.js';
import { jobResult, unstagedResult } from './job-result.js';
import type { IngestAttempt } from './ingest-attempt.js';
import { storeParts } from './store-parts.js';
import { knownToRepo } from './known-to-repo.js';
import { ingestMetrics } from '@sluice/telemetry';

export interface IngestRunnerDeps {
  /** Spool segments and pending objects to read and drop. */
  store: BlobStore;
  objects: ObjectStore;
  versions: VersionIndex;
  versionWriter: VersionWriter;
  staging: StagingIndex;
  /** What each repository already references: a job counts only that content as deduplicated. */
  repos: RepoStore;
  workspaces: WorkspaceStore;
  /** Large parts hashed while they arrive: the digest jobs fill it, the ingest jobs read it. */
  digestBoard: DigestBoard;
  /** Runs a task of `threads/inflate-task.ts` on a thread, its segment transferred, not copied. */
  inflate: (task: InflateTask) => Promise<InflateTaskResult>;
  limits: Limits;
  quota: WorkspaceQuota;
  retentionSeconds: number;
}

/**
 * Runs one ingest job: read the spool, inflate and hash in threads (large parts streamed), write
 * new content to the version store, stage every file in one atomic step together with the job's
 * result, then drop the spool. Every step is idempotent, so a job retried after its worker died
 * stages each file once with the right hash.
 */
export class IngestRunner {
  constructor(private readonly deps: IngestRunnerDeps) {}

  async run(job: IngestAttempt): Promise<IngestJobResult> {
    const { namespace, repo, workspaceId, parts, spoolKeys } = job.data;
    const jobId = job.id;
    const { staging, workspaces, objects } = this.deps;

    if ((await staging.appliedResult(namespace, repo, jobId)) !== null) return this.recordedResult(job);
    const current = await this.deps.repos.get(namespace, repo);
    if (current === null || (job.data.repoUuid !== undefined && current.uuid !== job.data.repoUuid)) {
      return this.abandon(job, 'repo_not_found', `Repository '${namespace}/${repo}' was deleted`);
    }
    const repoUuid = job.data.repoUuid ?? current.uuid;
    const workspace = job.data.stage ? await workspaces.find(namespace, repo, workspaceId) : null;
    if (job.data.stage && workspace === null)
      return this.abandon(job, 'workspace_not_found', `Workspace not found: ${workspaceId}`);
    // the base tree, read once: where the files may go is checked against it before their bytes are read
    const root = workspace === null ? null : (await objects.getCommit(workspace.commitId)).root;
    const misplaced = root === null ? null : await this.misplaced(job.data, root);
    if (misplaced !== null) return this.abandon(job, 'path_conflict', misplaced);

    const { outcomes, deduplicated: copies } = await storeParts(this.deps, job);

    // A spool that vanished mid-job was deleted by another attempt that finished first: its result stands.
    if (
      outcomes.some((o) => 'error' in o && o.error.code === 'spool_missing') &&
      (await staging.appliedResult(namespace, repo, jobId)) !== null
    ) {
      return this.recordedResult(job);
    }
    const failed = outcomes.filter((o) => 'error' in o).length;
    ingestMetrics.files.inc({ outcome: 'failed' }, failed);
    ingestMetrics.files.inc({ outcome: 'deduplicated' }, copies);
    ingestMetrics.files.inc({ outcome: 'stored' }, outcomes.length - failed - copies);
    // what the store held may be another tenant's: the caller learns only of its own repository's content
    const deduplicated = await knownToRepo(this.deps.repos, namespace, repo, outcomes);
    if (!job.data.stage) return this.finishUnstaged(job, outcomes, deduplicated);
    const staged = parts.flatMap((part, i) => {
      const outcome = outcomes[i]!;
      return 'error' in outcome ? [] : [{ path: part.path, content: outcome }];
    });
    const stage = await stageFiles(this.deps, staged, {
      namespace,
      repo,
      repoUuid,
      workspaceId: workspace!.id,
      root: root!,
      quota: this.deps.quota,
      job: {
        id: jobId,
        ttlSeconds: this.deps.retentionSeconds,
        result: (statuses) => JSON.stringify(jobResult(parts, outcomes, statuses, deduplicated)),
      },
    });
    if (stage.kind === 'already_applied') return this.recordedResult(job);
    if (stage.kind === 'refused') return this.abandon(job, stage.error.code, stage.error.message);
    await this.deps.store.delete(spoolKeys);
    return jobResult(parts, outcomes, stage.statuses, deduplicated);
  }

  /**
   * Why the job's files cannot be staged where they go, read from their paths alone before any
   * content is stored, or null. A refused upload stores nothing; staging checks again atomically,
   * so only a concurrent request staging the other side between this and staging can still refuse
   * the job after its new content was stored (content no repository references).
   */
  private async misplaced(data: IngestJobData, root: string): Promise<string | null> {
    const paths = data.parts.map((part) => part.path);
    return misplacement(this.deps, root, data, paths);
  }

  /** The result another attempt of this job recorded; its spool is dropped again in case that attempt died first. */
  private async recordedResult(job: IngestAttempt): Promise<IngestJobResult> {
    const { namespace, repo, spoolKeys } = job.data;
    const recorded = await this.deps.staging.appliedResult(namespace, repo, job.id);
    if (recorded === null) throw new SluiceError('internal', `job ${job.id}: no recorded result`);
    await this.deps.store.delete(spoolKeys);
    return JSON.parse(recorded) as IngestJobResult;
  }

  /** Ends a job that only stores content (POST /versions): records per-file results, drops the spool. */
  private async finishUnstaged(
    job: IngestAttempt,
    outcomes: FileOutcome[],
    deduplicated: number,
  ): Promise<IngestJobResult> {
    const result = unstagedResult(job.data.parts, outcomes, deduplicated);
    const { namespace, repo } = job.data;
    const hashes = result.files.flatMap((f) => ('hash' in f ? [f.hash] : []));
    await this.deps.staging.recordResult(
      namespace,
      repo,
      job.id,
      JSON.stringify(result),
      this.deps.retentionSeconds,
      hashes,
    );
    return this.recordedResult(job);
  }

  /** Fails every file of a job that cannot be staged at all, and records that as its result. */
  private async abandon(job: IngestAttempt, code: ErrorCode, message: string): Promise<IngestJobResult> {
    const { namespace, repo, parts } = job.data;
    const result: IngestJobResult = {
      paths: [],
      files: parts.map((p) => ({ path: p.path, error: { code, message } })),
      deduplicated: 0,
    };
    await this.deps.staging.recordResult(namespace, repo, job.id, JSON.stringify(result), this.deps.retentionSeconds);
    return this.recordedResult(job);
  }
}
