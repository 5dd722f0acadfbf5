import type { FastifyInstance, FastifyRequest } from 'fastify';
import { SluiceError, type StagedEntry } from '@sluice/core';
import type { AppServices } from '../app-services.js';
import { success } from '../oxen-envelope.js';
import type { WorkspaceParams } from './workspace-routes.js';
import { metadataEntry, pagination } from './metadata-entry.js';
import { FirstPaths } from './first-paths.js';
import { routeSchemas } from '../openapi/route-schemas.js';

type Status = 'Added' | 'Modified' | 'Removed';
type ListRoute = { Params: WorkspaceParams & { '*'?: string }; Querystring: { page?: number; page_size?: number } };
const statusNames: Record<StagedEntry['status'], Status> = { added: 'Added', modified: 'Modified', removed: 'Removed' };

function page(first: FirstPaths<StagedEntry>, pageNumber: number, pageSize: number): Record<string, unknown> {
  const { start, end, fields } = pagination(first.total, pageNumber, pageSize);
  return {
    dir: null,
    entries: first.items.slice(start, end).map(([path, entry]) => metadataEntry(path, { ...entry, isDir: false })),
    resource: null,
    metadata: null,
    ...fields,
  };
}

/** Workspace status and unstaging (docs/architecture.md#the-stage), with the deprecated aliases. */
export function changesRoutes(app: FastifyInstance, { staging }: AppServices): void {
  const base = '/api/repos/:namespace/:repo/workspaces/:workspaceId';

  const list = async (request: FastifyRequest<ListRoute>) => {
    const { namespace, repo } = request.params;
    const workspace = request.workspace;
    const { page: pageNumber = 1, page_size: pageSize = 100 } = request.query;
    const dir = (request.params['*'] ?? '').replace(/^\/+|\/+$/g, '');
    // only what this page needs is kept: the first page × size paths of each status, and counts
    const keep = pageNumber * pageSize;
    const byStatus: Record<Status, FirstPaths<StagedEntry>> = {
      Added: new FirstPaths(keep),
      Modified: new FirstPaths(keep),
      Removed: new FirstPaths(keep),
    };
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
      paths: Object.fromEntries(
        [...dirs].map(([d, n]) => [d, [{ path: d, num_files_staged: n, total_files: 0, status: 'Added' }]]),
      ),
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
  app.get<ListRoute>(`${base}/changes`, { schema: routeSchemas.list_root }, list);
  app.get<ListRoute>(`${base}/changes/*`, { schema: routeSchemas.list_changes }, list);

  const unstageOne = async (request: FastifyRequest<{ Params: WorkspaceParams & { '*': string } }>) => {
    const { namespace, repo } = request.params;
    const removed = await staging.unstage(namespace, repo, request.workspace.id, [request.params['*']]);
    if (removed.length === 0)
      throw new SluiceError('resource_not_found', `Could not find path: ${request.params['*']}`);
    return success('resource_deleted');
  };
  app.delete<{ Params: WorkspaceParams & { '*': string } }>(
    `${base}/changes/*`,
    { schema: routeSchemas.unstage },
    unstageOne,
  );
  app.delete<{ Params: WorkspaceParams & { '*': string } }>(
    `${base}/files/*`,
    { schema: routeSchemas.unstage_file },
    unstageOne,
  );

  const unstageMany = async (request: FastifyRequest<{ Params: WorkspaceParams; Body: string[] }>) => {
    const { namespace, repo } = request.params;
    await staging.unstage(namespace, repo, request.workspace.id, request.body);
    return success('resource_deleted');
  };
  app.delete<{ Params: WorkspaceParams; Body: string[] }>(
    `${base}/changes`,
    { schema: routeSchemas.unstage_many },
    unstageMany,
  );
  app.delete<{ Params: WorkspaceParams; Body: string[] }>(
    `${base}/staged`,
    { schema: routeSchemas.unstage_many_staged },
    unstageMany,
  );
}
