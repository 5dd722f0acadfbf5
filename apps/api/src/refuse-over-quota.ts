import { SluiceError } from '@sluice/core';
import { quotaExceededMessage } from '@sluice/repository';
import type { AppServices } from './app-services.js';

/**
 * Refuses, before any byte of it is sent, a file of `size` bytes that staging at `path` would take
 * past the workspace's quotas (a file already staged there gives its room back), as the worker
 * would refuse it once it arrived.
 */
export async function refuseOverQuota(
  { staging, config }: AppServices,
  namespace: string,
  repo: string,
  workspaceId: string,
  path: string,
  size: number,
): Promise<void> {
  const quota = config.workspaceQuota;
  if (quota.files === 0 && quota.bytes === 0) return;
  const [usage, staged] = await Promise.all([
    staging.usage(namespace, repo, workspaceId),
    staging.get(namespace, repo, workspaceId, path),
  ]);
  const files = staged === null ? 1 : 0;
  const bytes = size - (staged !== null && staged.status !== 'removed' ? staged.size : 0);
  if (
    (quota.files > 0 && files > 0 && usage.files + files > quota.files) ||
    (quota.bytes > 0 && bytes > 0 && usage.bytes + bytes > quota.bytes)
  ) {
    throw new SluiceError('quota_exceeded', quotaExceededMessage(workspaceId, usage, quota));
  }
}
