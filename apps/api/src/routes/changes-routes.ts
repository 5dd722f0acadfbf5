import { SluiceError, type StagedEntry } from '@sluice/core';
import type { StagedChanges } from '@sluice/protocol';
import type { AppServices } from '../app-services.js';
import { success } from '../oxen-envelope.js';
import { metadataEntry, pagination } from './metadata-entry.js';
import { FirstPaths } from './first-paths.js';
import type { Answer, RequestOf, TypedApp } from '../openapi/schema-kit.js';
import {
  listRoot,
  listChanges,
  unstage,
  unstageFile,
  unstageMany,
  unstageManyStaged,
} from './changes-routes.schema.js';

type Status = 'Added' | 'Modified' | 'Removed';
const statusNames: Record<StagedEntry['status'], Status> = { added: 'Added', modified: 'Modified', removed: 'Removed' };

function page(first: FirstPaths<StagedEntry>, pageNumber: number, pageSize: number): StagedChanges['added_files'] {
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
export function changesRoutes(app: TypedApp, { staging }: AppServices): void {
  const list = async (request: RequestOf<typeof listRoot | typeof listChanges>): Promise<Answer<typeof listRoot>> => {
    const { namespace, repo } = request.params;
    const workspace = request.workspace;
    const { page: pageNumber = 1, page_size: pageSize = 100 } = request.query;
    const dir = ('*' in request.params ? request.params['*'] : '').replace(/^\/+|\/+$/g, '');
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
    const addedDirs: StagedChanges['added_dirs'] = {
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
  app.get('/changes', { schema: listRoot }, list);
  app.get('/changes/*', { schema: listChanges }, list);

  const unstageOne = async (
    request: RequestOf<typeof unstage | typeof unstageFile>,
  ): Promise<Answer<typeof unstage>> => {
    const { namespace, repo } = request.params;
    const removed = await staging.unstage(namespace, repo, request.workspace.id, [request.params['*']]);
    if (removed.length === 0)
      throw new SluiceError('resource_not_found', `Could not find path: ${request.params['*']}`);
    return success('resource_deleted');
  };
  app.delete('/changes/*', { schema: unstage }, unstageOne);
  app.delete('/files/*', { schema: unstageFile }, unstageOne);

  const unstageManyOf = async (
    request: RequestOf<typeof unstageMany | typeof unstageManyStaged>,
  ): Promise<Answer<typeof unstageMany>> => {
    const { namespace, repo } = request.params;
    await staging.unstage(namespace, repo, request.workspace.id, request.body);
    return success('resource_deleted');
  };
  app.delete('/changes', { schema: unstageMany }, unstageManyOf);
  app.delete('/staged', { schema: unstageManyStaged }, unstageManyOf);
}
