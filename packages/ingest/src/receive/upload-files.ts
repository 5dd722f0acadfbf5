import { createHash, randomUUID } from 'node:crypto';
import { SluiceError, stagedPath, type ErrorCode } from '@sluice/core';
import type { IngestJob, IngestJobs } from '@sluice/queue';
import type { IngestDeps } from './ingest-deps.js';
import { enqueueSpooled } from './spooled-job.js';
import { spoolMultipart, type IncomingPart } from './spool-multipart.js';
import { refuseOverQuota } from '../stage/workspace-quota.js';

/** A multipart upload of files to a workspace directory (POST .../workspaces/{id}/files/{directory}). */
export interface FilesUpload {
  namespace: string;
  repo: string;
  repoUuid: string;
  workspaceId: string;
  directory: string;
  /** The client's key: a request sent again with it joins the job of the first. */
  idempotencyKey: string | undefined;
  /** The client takes the job at once and polls it, rather than waiting for its files to be staged. */
  async: boolean;
  /** The request's parts, read only once the upload is let in. */
  parts: () => AsyncIterable<IncomingPart>;
  /** Told the job's id once the upload has one, before it is waited for. */
  onJob: (jobId: string) => void;
}

export type FilesUploadOutcome =
  | { kind: 'no_files' }
  | { kind: 'accepted'; job: IngestJob }
  | { kind: 'staged'; paths: string[]; deduplicated: number };

/**
 * The multipart ingest of docs/architecture.md#uploads: the parts are spooled as they arrive, one
 * job is enqueued for the request, and the outcome is the staged paths once the worker has staged
 * them, or, asked for, the job at once. A request repeated under its idempotency key joins the job
 * of the first and reads nothing.
 */
export async function uploadFiles(deps: IngestDeps, upload: FilesUpload): Promise<FilesUploadOutcome> {
  const { namespace, repo, repoUuid, workspaceId, directory } = upload;
  const { jobs } = deps;
  const key = upload.idempotencyKey;
  let jobId: string = randomUUID();
  if (key !== undefined && key !== '') {
    // the repository's uuid: a key sent again to a repository deleted and created again under
    // the same name is a new upload, never the job of the one that was deleted
    const scope = `${namespace}/${repo}/${repoUuid}/${workspaceId}/${key}`;
    jobId = 'idem-' + createHash('sha256').update(scope).digest('hex').slice(0, 40);
    const existing = await jobs.find(jobId);
    if (existing) return outcome(jobs, upload, existing);
  }

  // a workspace already at a quota is refused before its upload is read; the worker checks exactly
  await refuseOverQuota(deps, { namespace, repo, workspaceId });
  const spool = await spoolMultipart(upload.parts(), {
    store: deps.store,
    limits: deps.limits,
    target: (filename) => ({ path: stagedPath(directory, filename) }),
    durable: upload.async,
    early: deps.early,
  });
  if (spool.parts.length === 0) return { kind: 'no_files' };
  const job = await enqueueSpooled(jobs, spool, { namespace, repo, repoUuid, workspaceId }, jobId);
  return outcome(jobs, upload, job);
}

/** The failures that stand for the whole request, not for one file of it. */
const refusesRequest: ReadonlySet<ErrorCode> = new Set<ErrorCode>([
  'quota_exceeded',
  'path_conflict',
  'workspace_not_found',
  'repo_not_found',
]);

async function outcome(jobs: IngestJobs, upload: FilesUpload, job: IngestJob): Promise<FilesUploadOutcome> {
  upload.onJob(job.id as string);
  if (upload.async) return { kind: 'accepted', job };
  const result = await jobs.wait(job);
  // A quota, a file/directory collision or a workspace (or repository) deleted while the job waited
  // refuses the whole request: say so, rather than 200 with no paths, which asks for the files again.
  const refused =
    result.paths.length === 0
      ? result.files.find((file) => 'error' in file && refusesRequest.has(file.error.code))
      : undefined;
  if (refused && 'error' in refused) throw new SluiceError(refused.error.code, refused.error.message);
  return { kind: 'staged', paths: result.paths, deduplicated: result.deduplicated };
}
