import { normalizeRelativePath, SluiceError, type Repository } from '@sluice/core';
import { chunkedFileJob } from './chunked-file-job.js';
import type { IngestDeps } from './ingest-deps.js';

/** A chunked upload's completion as the client sends it (POST R/versions/{hash}/complete). */
export interface ChunkedCompletionRequest {
  namespace: string;
  repo: string;
  repository: Repository;
  hash: string;
  /** How many chunks the client says it sent. */
  expected: number;
  /** The workspace to stage the file in, and where in it (`dir`/`name`); null only stores it. */
  destination: { workspaceId: string; dir: string | null | undefined; name: string } | null;
}

/**
 * Upstream's lenient destination (docs/architecture.md#uploads): only normal segments of dir and name are kept,
 * then the one path check of every route.
 */
function lenientDestination(dir: string | null | undefined, name: string): string {
  const segments = `${dir ?? ''}/${name}`.split('/').filter((s) => s !== '' && s !== '.' && s !== '..');
  return normalizeRelativePath(segments.join('/'), () => `destination for ${JSON.stringify(name).slice(0, 200)}`);
}

/**
 * Completes a file sent in chunks: the job that reassembles them, verifies the hash and, given a
 * workspace, stages the file, waited for. Returns where the file was staged and its job (none when
 * the content was stored already and is only staged again).
 */
export async function completeChunkedUpload(
  deps: IngestDeps,
  request: ChunkedCompletionRequest,
): Promise<{ path: string | null; jobId: string | null }> {
  const { namespace, repo, repository, hash, expected } = request;
  let destination = null;
  if (request.destination !== null) {
    const { workspaceId, dir, name } = request.destination;
    const workspace = await deps.workspaces.find(namespace, repo, workspaceId);
    if (workspace === null)
      throw new SluiceError('workspace_not_found', `Workspace not found: ${workspaceId}`, {
        statusMessage: `Workspace not found: ${workspaceId}`,
      });
    destination = { workspace, path: lenientDestination(dir, name) };
  }
  const path = destination?.path ?? null;
  const outcome = await chunkedFileJob(deps, { namespace, repo, repository, hash, expected, destination });
  if (outcome.kind === 'already_stored') return { path, jobId: null };
  const job = await deps.jobs.enqueue(outcome.data, outcome.jobId, async () => undefined);
  const failed = (await deps.jobs.wait(job)).files[0];
  if (failed && 'error' in failed) throw new SluiceError(failed.error.code, failed.error.message);
  return { path, jobId: job.id as string };
}
