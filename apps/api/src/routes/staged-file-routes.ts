import { normalizeRelativePath, SluiceError } from '@sluice/core';
import type { AppServices } from '../app-services.js';
import type { TypedApp } from '../openapi/schema-kit.js';
import { getWorkspaceFile } from './staged-file-routes.schema.js';

/** GET .../workspaces/{id}/files/{path}: a staged file, else the base commit's (docs/architecture.md#the-stage). */
export function stagedFileRoutes(app: TypedApp, { staging, objects, versionReader }: AppServices): void {
  app.get('/files/*', { schema: getWorkspaceFile, config: { rateClass: 'read' } }, async (request, reply) => {
    const { namespace, repo } = request.params;
    const workspace = request.workspace;
    const path = normalizeRelativePath(request.params['*']);
    const staged = await staging.get(namespace, repo, workspace.id, path);
    let file: { hash: string; size: number; mimeType: string } | null = null;
    let revision = '0';
    if (staged !== null && staged.status !== 'removed') {
      file = staged;
    } else if (staged === null) {
      const commit = await objects.getCommit(workspace.commitId);
      const entry = await objects.lookup(commit.root, path);
      if (entry?.kind === 'dir') throw new SluiceError('not_a_file', `${path} is a directory`);
      if (entry) {
        file = { hash: entry.hash, size: entry.size, mimeType: entry.mimeType ?? 'application/octet-stream' };
        revision = commit.id;
      }
    }
    if (file === null) throw new SluiceError('resource_not_found', `Could not find path: ${path}`);
    const body = await versionReader.open(file.hash);
    return reply
      .header('content-type', file.mimeType)
      .header('content-length', String(file.size))
      .header('access-control-expose-headers', 'content-length')
      .header('oxen-revision-id', revision)
      .send(body);
  });
}
