import { sniffMime, type ContentFacts, type Repository, type Workspace } from '@sluice/core';
import type { RepoStore, VersionReader, WorkspaceQuota } from '@sluice/repository';
import { stageFiles, type StageFilesDeps } from './stage-files.js';

export interface StageKnownContentDeps extends StageFilesDeps {
  repos: RepoStore;
  versionReader: VersionReader;
  quota: WorkspaceQuota;
}

/**
 * Stages content by hash, without its bytes, for content this repository already references (staged,
 * committed or uploaded to it): knowing a hash is no right to another repository's bytes. Entries
 * follow an upload's rules (added, modified, or unchanged against the base commit; the last duplicate
 * path wins; quotas; no file where a directory is) in the same atomic step. Returns the paths staged
 * (unchanged ones included, as an upload echoes them) and those whose content is missing.
 */
export async function stageKnownContent(
  { repos, staging, versionReader, objects, quota }: StageKnownContentDeps,
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
  const staged = await stageFiles({ objects, staging }, known, {
    namespace,
    repo,
    repoUuid,
    workspaceId: workspace.id,
    root,
    quota,
  });
  if (staged.kind === 'refused') throw staged.error;
  const paths = known.map((file) => file.path);
  return { paths, missing };
}
