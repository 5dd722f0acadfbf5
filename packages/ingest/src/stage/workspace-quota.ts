import { SluiceError } from '@sluice/core';
import { quotaExceededMessage, type StagingIndex, type WorkspaceQuota, type WorkspaceUsage } from '@sluice/repository';

/** The workspace a quota is checked for. */
export interface QuotaTarget {
  namespace: string;
  repo: string;
  workspaceId: string;
}

/**
 * The refusal of staging past a workspace's quota, with what the workspace holds now: every quota
 * refusal of an upload (at the door, at begin, at staging) says the same thing.
 */
export async function quotaExceeded(
  staging: StagingIndex,
  { namespace, repo, workspaceId }: QuotaTarget,
  quota: WorkspaceQuota,
): Promise<SluiceError> {
  return exceeded(workspaceId, await staging.usage(namespace, repo, workspaceId), quota);
}

function exceeded(workspaceId: string, usage: WorkspaceUsage, quota: WorkspaceQuota): SluiceError {
  return new SluiceError('quota_exceeded', quotaExceededMessage(workspaceId, usage, quota));
}

/**
 * Refuses, before any byte of it is read, what staging would surely take past the workspace's
 * quota, as staging would refuse it once it arrived (staging checks again, atomically). With
 * `file`, that file at its path (a file staged there gives its room back); without (a multipart
 * upload, whose files are not known yet), any upload to a workspace already at a quota.
 */
export async function refuseOverQuota(
  { staging, quota }: { staging: StagingIndex; quota: WorkspaceQuota },
  target: QuotaTarget,
  file?: { path: string; size: number },
): Promise<void> {
  if (quota.files === 0 && quota.bytes === 0) return;
  const { namespace, repo, workspaceId } = target;
  const [usage, staged] = await Promise.all([
    staging.usage(namespace, repo, workspaceId),
    file === undefined ? null : staging.get(namespace, repo, workspaceId, file.path),
  ]);
  // an unknown upload counts as one new file of one byte: refused only where the workspace is full
  const files = staged === null ? 1 : 0;
  const bytes = file === undefined ? 1 : file.size - (staged !== null && staged.status !== 'removed' ? staged.size : 0);
  if (
    (quota.files > 0 && files > 0 && usage.files + files > quota.files) ||
    (quota.bytes > 0 && bytes > 0 && usage.bytes + bytes > quota.bytes)
  ) {
    throw exceeded(workspaceId, usage, quota);
  }
}
