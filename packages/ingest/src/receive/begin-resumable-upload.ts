import { normalizeRelativePath, SluiceError, type Repository, type Workspace } from '@sluice/core';
import { isContentHash } from './content-hash.js';
import type { IngestDeps } from './ingest-deps.js';
import { refuseMisplaced } from '../stage/misplacement.js';
import { stageKnownContent } from '../stage/stage-known-content.js';
import { refuseOverQuota } from '../stage/workspace-quota.js';

/** Every part but the last is this long: large enough that a 1 TiB file is 65,536 parts. */
const uploadPartBytes = 16 * 1024 * 1024;
/** Parts accepted at once, counted from the earliest part not yet stored. */
const uploadPartWindow = 8;
/** The largest file a resumable upload takes (upstream's provisional limit). */
const maxUploadBytes = 1024 ** 4;

/** A resumable upload's beginning as the client sends it (POST R/versions/uploads). */
export interface ResumableBegin {
  namespace: string;
  repo: string;
  repository: Repository;
  hash: string;
  size: number;
  /** Where to stage the file once complete; null only stores it. */
  destination: { path: string; workspaceId: string } | null;
}

/** The content is in the repository (and staged) already, or the upload to send the parts of. */
export type ResumableStart =
  | { status: 'already_stored' }
  | { status: 'awaiting_parts'; uploadId: string; partSize: number; numParts: number; partWindow: number };

/**
 * Begins a resumable upload (docs/api.md#uploads): content this repository already references needs
 * no bytes and is staged at once; an upload staging past a quota, or where a file cannot go, is
 * refused now, not after its last part.
 */
export async function beginResumableUpload(deps: IngestDeps, begin: ResumableBegin): Promise<ResumableStart> {
  const { namespace, repo, hash, size } = begin;
  if (!isContentHash(hash)) throw new SluiceError('bad_request', '`hash` must be an Oxen content hash');
  if (!Number.isSafeInteger(size) || size > maxUploadBytes) {
    throw new SluiceError(
      'bad_request',
      `\`size\` must be a whole number of bytes from 1 to ` +
        `${maxUploadBytes} (empty files go through an ordinary upload)`,
    );
  }
  let destination: { path: string; workspace: Workspace } | null = null;
  if (begin.destination !== null) {
    destination = {
      path: normalizeRelativePath(begin.destination.path),
      workspace: await deps.workspaces.require(namespace, repo, begin.destination.workspaceId),
    };
  }
  // Content this repository already references needs no bytes; another repository's does.
  if ((await deps.repos.referencedContent(namespace, repo, [hash])).size === 1) {
    const staged =
      destination === null
        ? { missing: [] }
        : await stageKnownContent(deps, begin.repository, destination.workspace, [{ path: destination.path, hash }]);
    if (staged.missing.length === 0) return { status: 'already_stored' };
  }
  if (destination !== null) {
    const { path, workspace } = destination;
    await refuseMisplaced(deps, { namespace, repo, workspace }, path);
    await refuseOverQuota(deps, { namespace, repo, workspaceId: workspace.id }, { path, size });
  }
  const numParts = Math.ceil(size / uploadPartBytes);
  const upload = await deps.uploads.begin({
    namespace,
    repo,
    hash,
    size,
    partSize: uploadPartBytes,
    numParts,
    partWindow: uploadPartWindow,
    destination: destination && { path: destination.path, workspaceId: destination.workspace.id },
  });
  return {
    status: 'awaiting_parts',
    uploadId: upload.id,
    partSize: uploadPartBytes,
    numParts,
    partWindow: uploadPartWindow,
  };
}
