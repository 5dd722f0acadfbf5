import { randomUUID } from 'node:crypto';
import { SluiceError, sniffMime, type ContentFacts, type Repository, type Workspace } from '@sluice/core';
import { collisionMessage, planStage, quotaExceededMessage } from '@sluice/repository';
import type { AppServices } from './app-services.js';

/**
 * Stages content by hash, without its bytes, for content this repository already references (staged,
 * committed or uploaded to it): knowing a hash is no right to another repository's bytes. Entries
 * follow an upload's rules (added, modified, or unchanged against the base commit; the last duplicate
 * path wins; quotas; no file where a directory is) in the same atomic step. Returns the paths staged
 * (unchanged ones included, as an upload echoes them) and those whose content is missing.
 */
export async function stageKnownContent(
  { repos, staging, versionReader, objects, config }: AppServices,
  repository: Repository,
  workspace: Workspace,
  wanted: ReadonlyArray<{ path: string; hash: string }>,
): Promise<{ paths: string[]; missing: string[] }> {
  const { namespace, name: repo, uuid: repoUuid } = repository;
  const referenced = [...(await repos.referencedContent(namespace, repo, [...new Set(wanted.map((f) => f.hash))]))];
  // a reference that outlived its bytes is treated as missing
  const described = await versionReader.describeAll(referenced, 4096);

  const root = (await objects.getCommit(workspace.commitId)).root;
  const known: Array<{ path: string; content: ContentFacts }> = [];
  const missing: string[] = [];
  for (const { path, hash } of wanted) {
    const about = described.get(hash);
    // typed as an upload types it: from the first bytes and the path's extension
    if (about) known.push({ path, content: { hash, size: about.size, ...sniffMime(about.head, path) } });
    else missing.push(path);
  }
  const { entries, unchanged } = await planStage(objects, root, known);
  const paths = known.map((file) => file.path);
  if (paths.length > 0) {
    // The staging step records a result per job id for retried jobs; this request has none to keep.
    const applied = await staging.apply({
      ns: namespace,
      repo,
      repoUuid,
      workspaceId: workspace.id,
      jobId: `hashes-${randomUUID()}`,
      entries,
      unchanged: [...unchanged],
      result: '{}',
      ttlSeconds: 60,
      quota: config.workspaceQuota,
    });
    if (applied === 'workspace_gone')
      throw new SluiceError('workspace_not_found', `Workspace was deleted: ${workspace.id}`);
    if (applied === 'over_quota') {
      throw new SluiceError(
        'quota_exceeded',
        quotaExceededMessage(workspace.id, await staging.usage(namespace, repo, workspace.id), config.workspaceQuota),
      );
    }
    if (typeof applied === 'object')
      throw new SluiceError('path_conflict', collisionMessage(applied), { fields: { path: applied.path } });
  }
  return { paths, missing };
}
