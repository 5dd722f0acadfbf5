import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { mapLimit, normalizeRelativePath, SluiceError, sniffMime, type StagedEntry } from '@sluice/core';
import { readExact, versionKey } from '@sluice/storage';
import { quotaExceededMessage } from '@sluice/index';
import type { AppServices } from '../app-services.js';
import { success } from '../oxen-envelope.js';
import type { WorkspaceParams } from './workspace-routes.js';

/** Entries per request: each known one costs a stat and a 4 KiB read of the store. */
export const maxHashEntries = 5000;
const hashPattern = /^[0-9a-f]{1,32}$/;

/**
 * sluice extension: stage files by content hash, for content this repository already references
 * (staged, committed or uploaded to it), so a client re-pushing known content sends no bytes.
 * Content of other repositories counts as missing, whoever holds it. Body `{"files":[{"path","hash"}]}`; the
 * answer lists the `paths` staged (or unchanged against the base commit, as an upload echoes
 * them) and the `missing` paths whose content the server lacks: upload those as usual. Staging
 * follows the upload's rules (last duplicate path wins, quotas) in the same atomic step.
 */
export function stageHashesRoute(app: FastifyInstance, { repos, workspaces, staging, store, objects, config }: AppServices): void {
  app.post<{ Params: WorkspaceParams; Body: unknown }>('/api/repos/:namespace/:repo/workspaces/:workspaceId/stage_hashes', async (request) => {
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

    // Only content this repository already references: knowing a hash is no right to its bytes.
    const known = [...await repos.referencedContent(namespace, repo, [...new Set(wanted.map((f) => f.hash))])];
    const described = new Map<string, { size: number; head: Buffer } | null>();
    await mapLimit(known, 16, async (hash) => {
      const info = await store.stat(versionKey(hash));
      if (info === null) return void described.set(hash, null); // the index outlived the blob: treat as missing
      const head = info.size === 0 ? Buffer.alloc(0) : await readExact(await store.getRange(versionKey(hash), 0, Math.min(info.size, 4096)));
      described.set(hash, { size: info.size, head });
    });

    const root = (await objects.getCommit(workspace.commitId)).root;
    const entries = new Map<string, StagedEntry>();
    const unchanged = new Set<string>();
    const paths: string[] = [];
    const missing: string[] = [];
    for (const { path, hash } of wanted) {
      const about = described.get(hash);
      if (about === undefined || about === null) {
        missing.push(path);
        continue;
      }
      const base = await objects.lookup(root, path);
      const status = base?.kind !== 'file' ? 'added' : base.hash === hash ? 'unchanged' : 'modified';
      if (status === 'unchanged') {
        entries.delete(path);
        unchanged.add(path);
      } else {
        unchanged.delete(path);
        // Typed as an upload types it: from the first bytes and the path's extension.
        entries.set(path, { status, hash, size: about.size, ...sniffMime(about.head, path) });
      }
      paths.push(path);
    }
    if (paths.length > 0) {
      // The staging step records a result per job id for retried jobs; this request has none to keep.
      const applied = await staging.apply(namespace, repo, workspace.id, `hashes-${randomUUID()}`, entries, [...unchanged], '{}', 60, config.workspaceQuota);
      if (applied === 'workspace_gone') throw new SluiceError('workspace_not_found', `Workspace was deleted: ${workspaceId}`);
      if (applied === 'over_quota') {
        throw new SluiceError('quota_exceeded', quotaExceededMessage(workspaceId, await staging.usage(namespace, repo, workspace.id), config.workspaceQuota));
      }
    }
    return success('resource_created', { paths, missing });
  });
}
