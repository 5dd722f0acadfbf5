import { randomUUID } from 'node:crypto';
import { assertContentHash } from './content-hash.js';
import type { IngestDeps } from './ingest-deps.js';
import { enqueueSpooled } from './spooled-job.js';
import { spoolMultipart, type IncomingPart } from './spool-multipart.js';

/** A multipart request of whole files, each part named by its content hash (POST R/versions). */
export interface VersionsUpload {
  namespace: string;
  repo: string;
  repoUuid: string;
  parts: AsyncIterable<IncomingPart>;
}

/**
 * Stores hash-named files in the repository, staging none, through one ingest job waited for.
 * Returns the files that were not stored (a hash that does not match the content) and why.
 */
export async function storeVersions(
  deps: IngestDeps,
  upload: VersionsUpload,
): Promise<Array<{ hash: string; message: string }>> {
  const { namespace, repo, repoUuid } = upload;
  const spool = await spoolMultipart(upload.parts, {
    store: deps.store,
    limits: deps.limits,
    target: (filename) => ({ path: assertContentHash(filename), expectHash: filename }),
    durable: false,
    early: deps.early,
  });
  if (spool.parts.length === 0) return [];
  const job = await enqueueSpooled(deps.jobs, spool, { namespace, repo, repoUuid, workspaceId: null }, randomUUID());
  const result = await deps.jobs.wait(job);
  return result.files.flatMap((f) => ('error' in f ? [{ hash: f.path, message: f.error.message }] : []));
}
