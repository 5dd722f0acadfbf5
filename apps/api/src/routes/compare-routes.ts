import { normalizeRelativePath, SluiceError, type TreeEntry } from '@sluice/core';
import { diffTrees, type TreeDifference } from '@sluice/repository';
import type { AppServices } from '../app-services.js';
import { success } from '../oxen-envelope.js';
import { commitView } from './views.js';
import type { TypedApp } from '../openapi/schema-kit.js';
import { compareTrees } from './compare-routes.schema.js';

/**
 * sluice: the files that differ between two revisions, under a path, a page at a time. Pages are
 * cut by a cursor (`after`, the last path of the page before), not by number: a page costs what
 * its changes cost, and no page makes the server hold the whole difference.
 */
export function compareRoutes(app: TypedApp, { repos, objects }: AppServices): void {
  const commitOf = async (namespace: string, repo: string, revision: string) => {
    const resolved = await repos.resolveRevision(namespace, repo, revision);
    // `main/x` would be the branch main and a path: a revision here is a branch or a commit id, whole
    if (resolved.path !== '') throw new SluiceError('resource_not_found', `Revision not found: ${revision}`);
    return resolved.commit;
  };

  app.get('/compare/trees', { schema: compareTrees }, async (request) => {
    const { namespace, repo } = request.params;
    const { base, head, after, page_size: pageSize = 100 } = request.query;
    const [baseCommit, headCommit] = await Promise.all([
      commitOf(namespace, repo, base),
      commitOf(namespace, repo, head),
    ]);
    const trimmed = (request.query.path ?? '').replace(/^\/+|\/+$/g, '');
    const path = trimmed === '' ? '' : normalizeRelativePath(trimmed);
    const at = async (root: string): Promise<TreeEntry | null> =>
      path === '' ? { name: '', kind: 'dir', hash: root, size: 0 } : objects.lookup(root, path);
    const [baseEntry, headEntry] = await Promise.all([at(baseCommit.root), at(headCommit.root)]);
    if (baseEntry === null && headEntry === null)
      throw new SluiceError('resource_not_found', `Could not find path: ${path}`);
    const cursor = after === undefined || after === '' ? null : normalizeRelativePath(after);
    const changes: TreeDifference[] = [];
    let more = false;
    for await (const change of diffTrees(objects, baseEntry, headEntry, '', cursor)) {
      if (changes.length === pageSize) {
        more = true;
        break;
      }
      changes.push(change);
    }
    // paths in the answer are relative to the repository; the cursor, relative to `path`
    const full = (relative: string) => (path === '' ? relative : relative === '' ? path : `${path}/${relative}`);
    return success('resource_found', {
      base_commit: commitView(baseCommit),
      head_commit: commitView(headCommit),
      entries: changes.map((change) => ({ ...change, path: full(change.path) })),
      next_after: more ? changes[changes.length - 1]!.path : null,
    });
  });
}
