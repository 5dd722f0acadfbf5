import { createHash, randomUUID } from 'node:crypto';
import { SluiceError, type Repository, type Workspace } from '@sluice/core';
import type { IngestJobData } from '@sluice/queue';
import { chunkPrefix } from '@sluice/storage';
import type { ChunkedUploadDeps } from './receive-chunk.js';
import { stageKnownContent, type StageKnownContentDeps } from '../stage/stage-known-content.js';
import { refuseMisplaced } from '../stage/misplacement.js';
import { refuseOverQuota } from '../stage/workspace-quota.js';
import { wholeFileJob } from './whole-file-job.js';

export interface ChunkedCompletion {
  namespace: string;
  repo: string;
  repository: Repository;
  hash: string;
  /** How many chunks the client says it sent. */
  expected: number;
  /** Where to stage the file; null only stores it. */
  destination: { workspace: Workspace; path: string } | null;
}

/** The content was stored already (and is staged again by its hash), or the job that ingests the chunks. */
export type ChunkedOutcome = { kind: 'already_stored' } | { kind: 'job'; data: IngestJobData; jobId: string };

/**
 * The ingest job that reassembles a file sent in chunks, once its chunks match the count the client
 * sent; none when a repeated completion finds the content stored (it is staged again by its hash).
 * A repeated completion joins the job of the same chunks; chunks sent since (a corrected retry after
 * a refusal) make a new job.
 */
export async function chunkedFileJob(
  deps: ChunkedUploadDeps & StageKnownContentDeps,
  completion: ChunkedCompletion,
): Promise<ChunkedOutcome> {
  const { store, redis, keys, repos } = deps;
  const { namespace, repo, repository, hash, expected, destination } = completion;
  const chunks: Array<{ key: string; offset: number; size: number }> = [];
  for await (const info of store.list(chunkPrefix(namespace, repo, hash))) {
    chunks.push({ key: info.key, offset: Number(info.key.slice(info.key.lastIndexOf('/') + 1)), size: info.size });
  }
  chunks.sort((a, b) => a.offset - b.offset);
  // A repeated completion finds the chunks gone and the content in this repository: it only
  // stages again. Content only other repositories hold must be uploaded here first.
  const alreadyStored = chunks.length === 0 && (await repos.referencedContent(namespace, repo, [hash])).size === 1;
  if (!alreadyStored && chunks.length !== expected) {
    throw new SluiceError(
      'chunk_count_mismatch',
      `Number of chunks does not match expected number of chunks: ${chunks.length} != ${expected}`,
    );
  }
  if (!alreadyStored && chunks.length === 0)
    throw new SluiceError('resource_not_found', `no chunks uploaded for ${hash}`);

  // A repeated completion stages what is stored already, by its hash (it may sit in a pack).
  if (alreadyStored) {
    if (destination !== null) {
      const { workspace, path } = destination;
      const staged = await stageKnownContent(deps, repository, workspace, [{ path, hash }]);
      if (staged.missing.length > 0) throw new SluiceError('resource_not_found', `no chunks uploaded for ${hash}`);
    }
    return { kind: 'already_stored' };
  }
  // Where the file cannot go, or past a quota, the completion is refused before any job, as a resumable
  // upload is when it begins: the chunks stay for a completion that fits, instead of being read,
  // stored and dropped.
  if (destination !== null) {
    await refuseMisplaced(deps, { namespace, repo, workspace: destination.workspace }, destination.path);
    const size = chunks.reduce((sum, chunk) => sum + chunk.size, 0);
    await refuseOverQuota(
      deps,
      { namespace, repo, workspaceId: destination.workspace.id },
      { path: destination.path, size },
    );
  }
  const chunkKeys = chunks.map((c) => c.key);
  const workspaceId = destination?.workspace.id ?? '';
  const path = destination?.path ?? hash;
  const data = wholeFileJob({
    namespace,
    repo,
    repoUuid: repository.uuid,
    workspaceId: destination?.workspace.id ?? null,
    path,
    hash,
    keys: chunkKeys,
    bytes: 0,
  });
  // No token (it outlived the chunks): a job of its own.
  const sent = (await redis.get(keys.chunkUpload(namespace, repo, hash))) ?? randomUUID();
  const jobId =
    'chunks-' +
    createHash('sha256')
      .update(`${namespace}/${repo}/${hash}/${workspaceId}/${path}/${chunkKeys.length}/${sent}`)
      .digest('hex')
      .slice(0, 40);
  return { kind: 'job', data, jobId };
}
