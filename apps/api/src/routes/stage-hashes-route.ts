import type { FastifyInstance } from 'fastify';
import { normalizeRelativePath, SluiceError } from '@sluice/core';
import type { AppServices } from '../app-services.js';
import { success } from '../oxen-envelope.js';
import { stageKnownContent } from '../stage-known-content.js';
import type { WorkspaceParams } from './workspace-routes.js';
import { routeDocs } from '../openapi/route-docs.js';

/** Entries per request: each known one costs a stat and a 4 KiB read of the store. */
export const maxHashEntries = 5000;
const hashPattern = /^[0-9a-f]{1,32}$/;

/**
 * sluice extension: stage files by content hash, for content this repository already references,
 * so a client re-pushing known content sends no bytes. Body `{"files":[{"path","hash"}]}`; the
 * answer lists the `paths` staged (or unchanged against the base commit, as an upload echoes
 * them) and the `missing` paths whose content the repository lacks: upload those as usual.
 * Content of other repositories counts as missing, whoever holds it.
 */
export function stageHashesRoute(app: FastifyInstance, services: AppServices): void {
  const { repos, workspaces } = services;
  app.post<{ Params: WorkspaceParams; Body: unknown }>('/api/repos/:namespace/:repo/workspaces/:workspaceId/stage_hashes', { config: { doc: routeDocs.stage_hashes } }, async (request) => {
    const { namespace, repo, workspaceId } = request.params;
    const files = (request.body as { files?: unknown } | null)?.files;
    if (!Array.isArray(files) || files.some((f) => typeof f?.path !== 'string' || typeof f?.hash !== 'string')) {
      throw new SluiceError('bad_request', 'expected {"files": [{"path": string, "hash": string}, …]}');
    }
    if (files.length > maxHashEntries) throw new SluiceError('too_many_parts', `at most ${maxHashEntries} files per request`);
    const wanted = (files as Array<{ path: string; hash: string }>).map((f) => {
      if (!hashPattern.test(f.hash)) throw new SluiceError('bad_request', `not an Oxen content hash: ${f.hash}`);
      return { path: normalizeRelativePath(f.path), hash: f.hash };
    });
    await repos.require(namespace, repo);
    const workspace = await workspaces.require(namespace, repo, workspaceId);
    return success('resource_created', await stageKnownContent(services, namespace, repo, workspace, wanted));
  });
}
