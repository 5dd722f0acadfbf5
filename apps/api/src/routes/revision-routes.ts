import type { FastifyInstance } from 'fastify';
import { normalizeRelativePath, SluiceError, type Commit } from '@sluice/core';
import { versionKey } from '@sluice/storage';
import type { AppServices } from '../app-services.js';
import { success } from '../oxen-envelope.js';
import { commitView } from './views.js';
import type { RepoParams } from './workspace-routes.js';

type RevisionParams = RepoParams & { '*': string };

/**
 * Reading what was committed: `GET R/file/{revision}/{path}` streams a file and
 * `GET R/dir/{revision}/{path}` lists a directory. A revision is a branch name (which may hold
 * slashes: the longest matching name wins) or a commit id.
 */
export function revisionRoutes(app: FastifyInstance, { repos, objects, store }: AppServices): void {
  const resolve = async (namespace: string, repo: string, rest: string): Promise<{ commit: Commit; path: string }> => {
    await repos.require(namespace, repo);
    const segments = rest.split('/');
    for (let n = segments.length; n >= 1; n--) {
      const head = await repos.branchHead(namespace, repo, segments.slice(0, n).join('/'));
      if (head !== null) return { commit: await objects.getCommit(head), path: segments.slice(n).join('/') };
    }
    return { commit: await objects.getCommit(segments[0] ?? ''), path: segments.slice(1).join('/') };
  };

  app.get<{ Params: RevisionParams }>('/api/repos/:namespace/:repo/file/*', async (request, reply) => {
    const { commit, path } = await resolve(request.params.namespace, request.params.repo, request.params['*']);
    const entry = await objects.lookup(commit.root, normalizeRelativePath(path));
    if (entry === null) throw new SluiceError('resource_not_found', `Could not find path: ${path}`);
    if (entry.kind === 'dir') throw new SluiceError('not_a_file', `${path} is a directory`);
    return reply
      .header('content-type', entry.mimeType ?? 'application/octet-stream')
      .header('content-length', String(entry.size))
      .header('oxen-revision-id', commit.id)
      .send(await store.get(versionKey(entry.hash)));
  });

  app.get<{ Params: RevisionParams }>('/api/repos/:namespace/:repo/dir/*', async (request) => {
    const { commit, path } = await resolve(request.params.namespace, request.params.repo, request.params['*']);
    const clean = path.replace(/^\/+|\/+$/g, '');
    const node = clean === '' ? { kind: 'dir' as const, hash: commit.root } : await objects.lookup(commit.root, normalizeRelativePath(clean));
    if (node === null) throw new SluiceError('resource_not_found', `Could not find path: ${clean}`);
    if (node.kind !== 'dir') throw new SluiceError('bad_request', `${clean} is not a directory`);
    const entries = (await objects.readNode(node.hash)).map((entry) => ({
      filename: entry.name,
      path: clean === '' ? entry.name : `${clean}/${entry.name}`,
      is_dir: entry.kind === 'dir',
      size: entry.size,
      hash: entry.hash,
      mime_type: entry.kind === 'dir' ? 'inode/directory' : entry.mimeType,
      data_type: entry.kind === 'dir' ? 'dir' : entry.dataType,
    }));
    return success('resource_found', { commit: commitView(commit), dir: clean, entries, total_entries: entries.length });
  });
}
