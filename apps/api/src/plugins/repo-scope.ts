import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Repository, Workspace } from '@sluice/core';
import type { RepoStore, WorkspaceStore } from '@sluice/repository';

declare module 'fastify' {
  interface FastifyRequest {
    /** The repository of a route under /api/repos/:namespace/:repo, found before its handler runs (404 otherwise). */
    repository: Repository;
    /** The workspace of a route under …/workspaces/:workspaceId (by id or name), found likewise. */
    workspace: Workspace;
  }
}

const repoUrl = '/api/repos/:namespace/:repo';
const workspaceUrl = `${repoUrl}/workspaces/:workspaceId`;
const under = (url: string, prefix: string) => url === prefix || url.startsWith(`${prefix}/`);

/**
 * Resolves a route's repository and workspace once per request, after the caller is authorized
 * (so a refused caller learns nothing of what exists): handlers read `request.repository` and
 * `request.workspace` instead of looking them up again. A missing one answers 404 before the
 * body of an upload is read.
 */
export function repoScope(
  app: FastifyInstance,
  { repos, workspaces }: { repos: RepoStore; workspaces: WorkspaceStore },
): void {
  app.decorateRequest('repository', null as unknown as Repository);
  app.decorateRequest('workspace', null as unknown as Workspace);
  app.addHook('preHandler', async (request: FastifyRequest) => {
    const url = request.routeOptions.url ?? '';
    if (!under(url, repoUrl)) return;
    // a deletion finds the repository itself (repo-eraser.ts): it also finishes one cut short
    if (url === repoUrl && request.method === 'DELETE') return;
    const { namespace, repo, workspaceId } = request.params as { namespace: string; repo: string; workspaceId: string };
    request.repository = await repos.require(namespace, repo);
    if (under(url, workspaceUrl)) request.workspace = await workspaces.require(namespace, repo, workspaceId);
  });
}
