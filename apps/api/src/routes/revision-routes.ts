import { normalizeRelativePath, SluiceError, type Commit } from '@sluice/core';
import type { AppServices } from '../app-services.js';
import { success } from '../oxen-envelope.js';
import { commitView } from './views.js';
import { metadataEntry, pagination } from './metadata-entry.js';
import type { RequestOf, TypedApp } from '../openapi/schema-kit.js';
import { getFile, getMeta, getChunk, listDir, listCommitHistory, getRevision } from './revision-routes.schema.js';

type RevisionParams = RequestOf<typeof getFile>['params'];

/** Reads of content: counted in their own rate-limit class (plugins/rate-limits.ts). */
const readClass = { rateClass: 'read' as const };

/** Upstream's download segment: the default range of `chunk/…`. */
const downloadSegmentBytes = 10 * 1024 * 1024;

/** How far back a history is walked: far beyond any page a client asks for, and a bound on the work. */
const maxHistory = 100_000;

/**
 * Reading what was committed, every revision resolved inside its repository (a branch name,
 * which may hold slashes, or one of the repository's commit ids): `GET R/file/{rev}/{path}`
 * streams a file, `GET R/dir/{rev}/{path}` lists a directory, `GET R/commits/history/{rev}[/{path}]`
 * is the client's log and `GET R/revisions/{rev}` what Python's RemoteRepo resolves on opening.
 */
export function revisionRoutes(app: TypedApp, { repos, objects, versionReader }: AppServices): void {
  const resolve = (params: RevisionParams) => repos.resolveRevision(params.namespace, params.repo, params['*']);

  app.get('/file/*', { schema: getFile, config: readClass }, async (request, reply) => {
    const { commit, path } = await resolve(request.params);
    const entry = await objects.lookup(commit.root, normalizeRelativePath(path));
    if (entry === null) throw new SluiceError('resource_not_found', `Could not find path: ${path}`);
    if (entry.kind === 'dir') throw new SluiceError('not_a_file', `${path} is a directory`);
    return reply
      .header('content-type', entry.mimeType ?? 'application/octet-stream')
      .header('content-length', String(entry.size))
      .header('oxen-revision-id', commit.id)
      .send(await versionReader.open(entry.hash));
  });

  /** The entry at a revision's path, as `dir` shows it; the root is the commit's tree. */
  const entryAt = async (params: RevisionParams) => {
    const resolved = await resolve(params);
    const clean = resolved.path.replace(/^\/+|\/+$/g, '');
    const node =
      clean === ''
        ? { kind: 'dir' as const, hash: resolved.commit.root, size: 0 }
        : await objects.lookup(resolved.commit.root, normalizeRelativePath(clean));
    if (node === null) throw new SluiceError('resource_not_found', `Could not find path: ${clean}`);
    return { ...resolved, clean, node };
  };

  app.get('/meta/*', { schema: getMeta, config: readClass }, async (request) => {
    const { clean, node } = await entryAt(request.params);
    const size =
      clean === '' ? (await objects.readNode(node.hash)).reduce((sum, entry) => sum + entry.size, 0) : node.size;
    const facts = node.kind === 'dir' ? { hash: node.hash, size, isDir: true } : { ...node, isDir: false };
    return success('resource_found', { entry: metadataEntry(clean.slice(clean.lastIndexOf('/') + 1), facts) });
  });

  // `oxen download` of a file past its 10 MiB segment: ranges fetched in parallel, raw bytes
  app.get('/chunk/*', { schema: getChunk, config: readClass }, async (request, reply) => {
    const { commit, clean, node } = await entryAt(request.params);
    if (node.kind === 'dir') throw new SluiceError('not_a_file', `${clean} is a directory`);
    const start = Math.min(request.query.chunk_start ?? 0, node.size);
    const length = Math.min(request.query.chunk_size ?? downloadSegmentBytes, node.size - start);
    return reply
      .header('content-type', 'application/octet-stream')
      .header('content-length', String(length))
      .header('oxen-revision-id', commit.id)
      .send(await versionReader.openRange(node.hash, start, length));
  });

  app.get('/dir/*', { schema: listDir }, async (request) => {
    const { commit, path, revision } = await resolve(request.params);
    const { page: pageNumber = 1, page_size: pageSize = 100 } = request.query;
    const clean = path.replace(/^\/+|\/+$/g, '');
    const node =
      clean === ''
        ? { kind: 'dir' as const, hash: commit.root, size: 0 }
        : await objects.lookup(commit.root, normalizeRelativePath(clean));
    if (node === null) throw new SluiceError('resource_not_found', `Could not find path: ${clean}`);
    if (node.kind !== 'dir') throw new SluiceError('bad_request', `${clean} is not a directory`);
    const children = await objects.readNode(node.hash);
    const size = clean === '' ? children.reduce((sum, entry) => sum + entry.size, 0) : node.size;
    const { start, end, fields } = pagination(children.length, pageNumber, pageSize);
    const entries = children
      .slice(start, end)
      .map((entry) => metadataEntry(entry.name, { ...entry, isDir: entry.kind === 'dir' }));
    return success('resource_found', {
      dir: metadataEntry(clean.slice(clean.lastIndexOf('/') + 1), { hash: node.hash, size, isDir: true }),
      entries,
      resource: { path: clean, version: revision },
      metadata: null,
      ...fields,
    });
  });

  app.get('/commits/history/*', { schema: listCommitHistory }, async (request) => {
    const { commit, path } = await resolve(request.params);
    const { page: pageNumber = 1, page_size: pageSize = 100 } = request.query;
    const trimmed = path.replace(/^\/+|\/+$/g, '');
    const file = trimmed === '' ? '' : normalizeRelativePath(trimmed);
    const history: Commit[] = [];
    for (let current: Commit | null = commit; current !== null && history.length < maxHistory;) {
      const parentId: string | undefined = current.parent_ids[0];
      const parent: Commit | null = parentId === undefined ? null : await objects.getCommit(parentId);
      if (file === '' || (await touches(current, parent, file))) history.push(current);
      current = parent;
    }
    const { start, end, fields } = pagination(history.length, pageNumber, pageSize);
    return success('resource_found', { commits: history.slice(start, end).map(commitView), ...fields });
  });

  /** Whether `commit` changed what stands at the (normalized) `path` against its parent. */
  const touches = async (commit: Commit, parent: Commit | null, path: string): Promise<boolean> => {
    const [now, before] = await Promise.all([
      objects.lookup(commit.root, path),
      parent ? objects.lookup(parent.root, path) : null,
    ]);
    return (now?.hash ?? null) !== (before?.hash ?? null);
  };

  app.get('/revisions/*', { schema: getRevision }, async (request) => {
    const { commit, branch, revision, path } = await resolve(request.params);
    return success('resource_found', {
      resource: {
        workspace: null,
        commit: commitView(commit),
        branch,
        path,
        version: revision,
        resource: request.params['*'],
      },
    });
  });
}
