import type { Commit, Repository, Workspace } from '@sluice/core';
import type { ObjectStore } from '@sluice/repository';
import type { CommitView, RepositoryListView, WorkspaceView } from '@sluice/protocol';
import { minOxenClientVersion } from '../oxen-envelope.js';

/** A commit as Oxen clients parse it (the tree root stays internal). */
export function commitView(commit: Commit): CommitView {
  const { root: _root, ...view } = commit;
  return view;
}

export async function workspaceView(objects: ObjectStore, workspace: Workspace): Promise<WorkspaceView> {
  return {
    id: workspace.id,
    name: workspace.name,
    commit: commitView(await objects.getCommit(workspace.commitId)),
    created_at: workspace.createdAt,
  };
}

/** What every view of a repository holds (RepositoryListView). */
export function repositoryView(repo: Repository): RepositoryListView {
  return {
    namespace: repo.namespace,
    name: repo.name,
    min_version: minOxenClientVersion,
    storage_kind: 'local',
    repo_uuid: repo.uuid,
  };
}
