import type { FastifyInstance } from 'fastify';
import { SluiceError, type StagedEntry } from '@sluice/core';
import type { AppServices } from '../app-services.js';
import { success } from '../oxen-envelope.js';
import type { WorkspaceParams } from './workspace-routes.js';
import { metadataEntry, pagination, positive } from './metadata-entry.js';
import { FirstPaths } from './first-paths.js';
import { routeDocs } from '../openapi/route-docs.js';

type Status = 'Added' | 'Modified' | 'Removed';
const statusNames: Record<StagedEntry['status'], Status> = { added: 'Added', modified: 'Modified', removed: 'Removed' };

function page(first: FirstPaths<StagedEntry>, pageNumber: number, pageSize: number): Record<string, unknown> {
  const { start, end, fields } = pagination(first.total, pageNumber, pageSize);
  return {
    dir: null,
    entries: first.items.slice(start, end).map(([path, entry]) => metadataEntry(path, { ...entry, isDir: false })),
    resource: null, metadata: null, ...fields,
  };
}

function pathList(body: unknown): string[] {
  if (!Array.isArray(body) || !body.every((p) => typeof p === 'string')) {
    throw new SluiceError('bad_request', 'expected a JSON array of paths');
  }
  return body as string[];
}

/** Workspace status (reference §5.5) and unstaging (§5.3), with the deprecated aliases. */
export function changesRoutes(app: FastifyInstance, { repos, workspaces, staging }: AppServices): void {
  const base = '/api/repos/:namespace/:repo/workspaces/:workspaceId';

  const list = async (params: WorkspaceParams & { '*'?: string }, query: { page?: string; page_size?: string }) => {
    const { namespace, repo, workspaceId } = params;
    await repos.require(namespace, repo);
    const workspace = await workspaces.require(namespace, repo, workspaceId);
    const pageNumber = positive(query.page, 1, 'page');
    const pageSize = positive(query.page_size, 100, 'page_size');
    const dir = (params['*'] ?? '').replace(/^\/+|\/+$/g, '');
    // only what this page needs is kept: the first page × size paths of each status, and counts
    const keep = pageNumber * pageSize;
    const byStatus: Record<Status, FirstPaths<StagedEntry>> = { Added: new FirstPaths(keep), Modified: new FirstPaths(keep), Removed: new FirstPaths(keep) };
    const dirs = new Map<string, number>();
    for await (const [path, entry] of staging.entries(namespace, repo, workspace.id)) {
      if (dir !== '' && !path.startsWith(dir + '/')) continue;
      const status = statusNames[entry.status];
      byStatus[status].add(path, entry);
      const slash = path.indexOf('/');
      if (status === 'Added' && slash > 0) dirs.set(path.slice(0, slash), (dirs.get(path.slice(0, slash)) ?? 0) + 1);
    }
    const addedDirs = {
      num_files_staged: [...dirs.values()].reduce((a, b) => a + b, 0),
      total_files: 0,
      paths: Object.fromEntries([...dirs].map(([d, n]) => [d, [{ path: d, num_files_staged: n, total_files: 0, status: 'Added' }]])),
    };
    return success('resource_found', {
      staged: {
        added_dirs: addedDirs,
        added_files: page(byStatus.Added, pageNumber, pageSize),
        modified_files: page(byStatus.Modified, pageNumber, pageSize),
        removed_files: page(byStatus.Removed, pageNumber, pageSize),
      },
    });
  };
  type ListRoute = { Params: WorkspaceParams & { '*'?: string }; Querystring: { page?: string; page_size?: string } };
  app.get<ListRoute>(`${base}/changes`, { config: { doc: routeDocs.list_root } }, (request) => list(request.params, request.query));
  app.get<ListRoute>(`${base}/changes/*`, { config: { doc: routeDocs.list_changes } }, (request) => list(request.params, request.query));

  const unstageOne = async (request: { params: WorkspaceParams & { '*': string } }) => {
    const { namespace, repo, workspaceId } = request.params;
    await repos.require(namespace, repo);
    const workspace = await workspaces.require(namespace, repo, workspaceId);
    const removed = await staging.unstage(namespace, repo, workspace.id, [request.params['*']]);
    if (removed.length === 0) throw new SluiceError('resource_not_found', `Could not find path: ${request.params['*']}`);
    return success('resource_deleted');
  };
  app.delete<{ Params: WorkspaceParams & { '*': string } }>(`${base}/changes/*`, { config: { doc: routeDocs.unstage } }, unstageOne);
  app.delete<{ Params: WorkspaceParams & { '*': string } }>(`${base}/files/*`, { config: { doc: routeDocs.unstage_file } }, unstageOne);

  const unstageMany = async (request: { params: WorkspaceParams; body: unknown }) => {
    const { namespace, repo, workspaceId } = request.params;
    await repos.require(namespace, repo);
    const workspace = await workspaces.require(namespace, repo, workspaceId);
    await staging.unstage(namespace, repo, workspace.id, pathList(request.body));
    return success('resource_deleted');
  };
  app.delete<{ Params: WorkspaceParams }>(`${base}/changes`, { config: { doc: routeDocs.unstage_many } }, unstageMany);
  app.delete<{ Params: WorkspaceParams }>(`${base}/staged`, { config: { doc: routeDocs.unstage_many_staged } }, unstageMany);
}
