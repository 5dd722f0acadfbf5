import type { RedisClient } from '../redis/redis-client.js';
import { SluiceError, type Workspace } from '@sluice/core';
import type { RedisKeys } from '../redis/redis-keys.js';
import type { RepoStore } from '../history/repo-store.js';

export interface WorkspaceRequest {
  workspaceId: string;
  branchName: string;
  name?: string | null;
}

const maxIdentifier = 256;

function assertIdentifier(value: string, what: string): void {
  if (value.length === 0 || value.length > maxIdentifier || /[\u0000-\u001f/]/.test(value)) {
    throw new SluiceError(
      'invalid_name',
      `${what} must be 1 to ${maxIdentifier} characters, without '/' or control characters`,
    );
  }
}

/** Workspaces of a repository: a record per id and an index of names, in the repository's slot. */
export class WorkspaceStore {
  constructor(
    private readonly redis: RedisClient,
    private readonly keys: RedisKeys,
    private readonly repos: RepoStore,
  ) {}

  /**
   * Upstream's get-or-create (docs/architecture.md#repositories-branches-and-workspaces): found by name or id, else
   * created at the branch head.
   */
  async getOrCreate(
    ns: string,
    repo: string,
    request: WorkspaceRequest,
  ): Promise<{ workspace: Workspace; created: boolean }> {
    assertIdentifier(request.workspaceId, 'workspace_id');
    if (request.name != null) assertIdentifier(request.name, 'name');
    const commitId = await this.repos.headOrInitialize(ns, repo, request.branchName);
    const existing = await this.find(ns, repo, request.name ?? request.workspaceId);
    // Upstream echoes the request's id, not the stored one, for a workspace found by name.
    if (existing) return { workspace: { ...existing, id: request.workspaceId }, created: false };

    const workspace: Workspace = {
      id: request.workspaceId,
      name: request.name ?? null,
      commitId,
      createdAt: new Date().toISOString(),
    };
    if (workspace.name !== null) {
      const claimed = await this.redis.hsetnx(this.keys.workspaceNames(ns, repo), workspace.name, workspace.id);
      if (claimed === 0) return this.getOrCreate(ns, repo, request);
    }
    const created = await this.redis.hsetnx(this.keys.workspaces(ns, repo), workspace.id, JSON.stringify(workspace));
    if (created === 0) {
      if (workspace.name !== null) await this.redis.hdel(this.keys.workspaceNames(ns, repo), workspace.name);
      throw new SluiceError('conflict', `Workspace ${workspace.id} already exists`);
    }
    return { workspace, created: true };
  }

  /** A workspace by id, else by name (as upstream looks them up), or null. */
  async find(ns: string, repo: string, idOrName: string): Promise<Workspace | null> {
    const byId = await this.redis.hget(this.keys.workspaces(ns, repo), idOrName);
    if (byId !== null) return JSON.parse(byId) as Workspace;
    const id = await this.redis.hget(this.keys.workspaceNames(ns, repo), idOrName);
    if (id === null) return null;
    const byName = await this.redis.hget(this.keys.workspaces(ns, repo), id);
    return byName === null ? null : (JSON.parse(byName) as Workspace);
  }

  async require(ns: string, repo: string, idOrName: string): Promise<Workspace> {
    const workspace = await this.find(ns, repo, idOrName);
    if (workspace === null) throw new SluiceError('workspace_not_found', `Workspace not found: ${idOrName}`);
    return workspace;
  }

  async list(ns: string, repo: string, name?: string): Promise<Workspace[]> {
    if (name !== undefined) {
      const id = await this.redis.hget(this.keys.workspaceNames(ns, repo), name);
      const found = id === null ? null : await this.find(ns, repo, id);
      return found ? [found] : [];
    }
    const all = await this.redis.hvals(this.keys.workspaces(ns, repo));
    return all.map((json) => JSON.parse(json) as Workspace).sort((a, b) => (a.createdAt < b.createdAt ? -1 : 1));
  }

  /** Deletes a workspace found before (`require`), its name, its staging index and its usage in one step. */
  async delete(ns: string, repo: string, workspace: Workspace): Promise<void> {
    const tx = this.redis
      .multi()
      .hdel(this.keys.workspaces(ns, repo), workspace.id)
      .del(
        this.keys.staged(ns, repo, workspace.id),
        this.keys.usage(ns, repo, workspace.id),
        this.keys.stagedDirs(ns, repo, workspace.id),
      );
    if (workspace.name !== null) tx.hdel(this.keys.workspaceNames(ns, repo), workspace.name);
    await tx.exec();
  }
}
