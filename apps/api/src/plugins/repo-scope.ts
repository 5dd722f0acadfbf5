import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Repository, Workspace } from '@sluice/core';
import type { RepoStore, WorkspaceStore } from '@sluice/repository';

declare module 'fastify' {
  interface FastifyRequest {
    /** The repository of a route under the repository prefix, found before its handler runs (404 otherwise). */
    repository: Repository;
    /** The workspace of a route registered under the workspace prefix (by id or name), found likewise. */
    workspace: Workspace;
  }
}

/** On the root, so every scope's requests carry the two, empty until a scope's hook finds them. */
export function repoScope(app: FastifyInstance): void {
  app.decorateRequest('repository', null as unknown as Repository);
  app.decorateRequest('workspace', null as unknown as Workspace);
}

/**
 * In the scope of the repository prefix: every route registered there gets its repository once
 * per request, as `request.repository`, instead of looking it up again. A preHandler, so after the
 * caller is authorized (a refused caller learns nothing of what exists); a missing one answers 404
 * before the body of an upload is read (those routes read it in their handler).
 */
export function findRepository(scope: FastifyInstance, repos: RepoStore): void {
  scope.addHook('preHandler', async (request: FastifyRequest) => {
    // the prefix names both: a route in this scope cannot be registered without them
    const { namespace, repo } = request.params as { namespace: string; repo: string };
    request.repository = await repos.require(namespace, repo);
  });
}

/** In the scope of the workspace prefix, inside the repository's: `request.workspace`, likewise. */
export function findWorkspace(scope: FastifyInstance, workspaces: WorkspaceStore): void {
  scope.addHook('preHandler', async (request: FastifyRequest) => {
    const { namespace, repo, workspaceId } = request.params as { namespace: string; repo: string; workspaceId: string };
    request.workspace = await workspaces.require(namespace, repo, workspaceId);
  });
}
