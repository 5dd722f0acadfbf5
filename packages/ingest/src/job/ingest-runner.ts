import type { Limits } from '@sluice/core';
import type {
  ObjectStore,
  RepoStore,
  StagingIndex,
  VersionIndex,
  VersionWriter,
  WorkspaceQuota,
  WorkspaceStore,
} from '@sluice/repository';
import type { IngestJobResult } from '@sluice/queue';
import type { BlobStore } from '@sluice/storage';
import { ingestMetrics } from '@sluice/telemetry';
import type { InflateTask, InflateTaskResult } from './threads/inflate-task.js';
import type { DigestBoard } from '../digest/digest-board.js';
import type { IngestAttempt } from './ingest-attempt.js';
import { JobEnding } from './job-ending.js';
import { jobResult } from './job-result.js';
import { knownToRepo } from './known-to-repo.js';
import { misplacement } from '../stage/misplacement.js';
import { stageFiles } from '../stage/stage-files.js';
import { storeParts, type StoredParts } from './store-parts.js';

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
    const { deps } = this;
    const ending = new JobEnding(deps, job);

    if (await ending.isRecorded()) return ending.recorded();
    const current = await deps.repos.get(namespace, repo);
    if (current === null || (job.data.repoUuid !== undefined && current.uuid !== job.data.repoUuid)) {
      return ending.abandon('repo_not_found', `Repository '${namespace}/${repo}' was deleted`);
    }
    const repoUuid = job.data.repoUuid ?? current.uuid;
    const workspace = job.data.stage ? await deps.workspaces.find(namespace, repo, workspaceId) : null;
    if (job.data.stage && workspace === null)
      return ending.abandon('workspace_not_found', `Workspace not found: ${workspaceId}`);
    // The base tree, read once: where the files may go is checked against it before their bytes are
    // read, so a refused upload stores nothing. Staging checks again atomically: only a request staging
    // the other side meanwhile can still refuse the job after it stored content no repository references.
    const root = workspace === null ? null : (await deps.objects.getCommit(workspace.commitId)).root;
    const paths = parts.map((part) => part.path);
    const misplaced = root === null ? null : await misplacement(deps, root, job.data, paths);
    if (misplaced !== null) return ending.abandon('path_conflict', misplaced);

    const stored = await storeParts(deps, job);
    const { outcomes } = stored;
    // A spool that vanished mid-job was deleted by another attempt that finished first: its result stands.
    if (outcomes.some((o) => 'error' in o && o.error.code === 'spool_missing') && (await ending.isRecorded())) {
      return ending.recorded();
    }
    countFiles(stored);
    // what the store held may be another tenant's: the caller learns only of its own repository's content
    const deduplicated = await knownToRepo(deps.repos, namespace, repo, outcomes);
    if (!job.data.stage) return ending.finishUnstaged(outcomes, deduplicated);

    const staged = parts.flatMap((part, i) => {
      const outcome = outcomes[i]!;
      return 'error' in outcome ? [] : [{ path: part.path, content: outcome }];
    });
    const stage = await stageFiles(deps, staged, {
      namespace,
      repo,
      repoUuid,
      workspaceId: workspace!.id,
      root: root!,
      quota: deps.quota,
      job: {
        id: job.id,
        ttlSeconds: deps.retentionSeconds,
        result: (statuses) => JSON.stringify(jobResult(parts, outcomes, statuses, deduplicated)),
      },
    });
    if (stage.kind === 'already_applied') return ending.recorded();
    if (stage.kind === 'refused') return ending.abandon(stage.error.code, stage.error.message);
    await deps.store.delete(spoolKeys);
    return jobResult(parts, outcomes, stage.statuses, deduplicated);
  }
}

/** The metrics' count of files by outcome: here deduplicated is what the version store held, whoever's it was. */
function countFiles({ outcomes, deduplicated }: StoredParts): void {
  const failed = outcomes.filter((o) => 'error' in o).length;
  ingestMetrics.files.inc({ outcome: 'failed' }, failed);
  ingestMetrics.files.inc({ outcome: 'deduplicated' }, deduplicated);
  ingestMetrics.files.inc({ outcome: 'stored' }, outcomes.length - failed - deduplicated);
}
