import { errorCodeOf, SluiceError, type ContentFacts } from '@sluice/core';
import { collisionMessage, type ObjectStore, type StagingIndex, type WorkspaceQuota } from '@sluice/repository';
import { timed } from '@sluice/telemetry';
import { planStage, type PlannedStatus } from './stage-plan.js';
import { quotaExceeded } from './workspace-quota.js';

export interface StageFilesDeps {
  objects: ObjectStore;
  staging: StagingIndex;
}

export interface StageFilesOptions {
  namespace: string;
  repo: string;
  /** The repository the files are for: one deleted and created again under its name stages nothing. */
  repoUuid: string;
  workspaceId: string;
  /** The root tree of the workspace's base commit, which statuses are judged against. */
  root: string;
  quota: WorkspaceQuota;
  /**
   * The ingest job this staging is: its result, made from the files' statuses, is recorded in the
   * same atomic step, so a retried attempt stages nothing twice. Absent for stage-by-hash.
   */
  job?: { id: string; ttlSeconds: number; result: (statuses: readonly PlannedStatus[]) => string };
}

/**
 * What staging came to: the files' statuses in the order given; 'already_applied' when another
 * attempt of the job recorded its result first; or why nothing was staged.
 */
export type StageFilesOutcome =
  { kind: 'staged'; statuses: PlannedStatus[] } | { kind: 'already_applied' } | { kind: 'refused'; error: SluiceError };

/**
 * Stages files whose content is stored, for uploads and stage-by-hash alike: the stage plan
 * against the base commit (planStage), then one atomic step that checks the workspace still
 * exists, the collision rule against the stage and the quota. A refusal stages nothing:
 * path_conflict, workspace_not_found or quota_exceeded.
 */
export async function stageFiles(
  { objects, staging }: StageFilesDeps,
  files: ReadonlyArray<{ path: string; content: ContentFacts }>,
  options: StageFilesOptions,
): Promise<StageFilesOutcome> {
  const { namespace, repo, workspaceId, quota, job } = options;
  let plan: Awaited<ReturnType<typeof planStage>>;
  try {
    plan = await planStage(objects, options.root, files);
  } catch (error) {
    if (errorCodeOf(error) === 'path_conflict') return { kind: 'refused', error: error as SluiceError };
    throw error;
  }
  const { entries, unchanged, statuses } = plan;
  // with no job there is no result to record, and nothing to stage
  if (files.length === 0 && job === undefined) return { kind: 'staged', statuses };
  const step = {
    ns: namespace,
    repo,
    repoUuid: options.repoUuid,
    workspaceId,
    entries,
    unchanged: [...unchanged],
    quota,
  };
  // the metric's stage is per job
  const applied =
    job === undefined
      ? await staging.apply(step)
      : await timed('stage', () =>
          staging.apply({ ...step, job: { id: job.id, result: job.result(statuses), ttlSeconds: job.ttlSeconds } }),
        );
  if (applied === 'applied') return { kind: 'staged', statuses };
  if (applied === 'already_applied') return { kind: 'already_applied' };
  if (applied === 'workspace_gone')
    return { kind: 'refused', error: new SluiceError('workspace_not_found', `Workspace was deleted: ${workspaceId}`) };
  if (applied === 'over_quota')
    return { kind: 'refused', error: await quotaExceeded(staging, { namespace, repo, workspaceId }, quota) };
  return {
    kind: 'refused',
    error: new SluiceError('path_conflict', collisionMessage(applied), { fields: { path: applied.path } }),
  };
}
