import type { IngestJob, IngestJobData, IngestJobs } from '@sluice/queue';
import type { SpoolWriter } from './spool-writer.js';

/** Whom a spooled request's files are for. */
export interface SpoolOwner {
  namespace: string;
  repo: string;
  repoUuid: string;
  /** The workspace to stage the files in; null only stores them (POST R/versions). */
  workspaceId: string | null;
}

/** The ingest job of a multipart request once it is spooled: its parts, and its objects to drop once done. */
function spooledJob(spool: SpoolWriter, owner: SpoolOwner): IngestJobData {
  const { namespace, repo, repoUuid, workspaceId } = owner;
  return {
    namespace,
    repo,
    repoUuid,
    workspaceId: workspaceId ?? '',
    spoolKeys: spool.keys,
    parts: spool.parts,
    bytes: spool.bytes,
    stage: workspaceId !== null,
  };
}

/**
 * Enqueues the job of a spooled request under `jobId`. Its spool is dropped when no job of its own
 * takes it: another job stands under that id (a retry, a twin), or enqueueing failed.
 */
export async function enqueueSpooled(
  jobs: IngestJobs,
  spool: SpoolWriter,
  owner: SpoolOwner,
  jobId: string,
): Promise<IngestJob> {
  try {
    return await jobs.enqueue(spooledJob(spool, owner), jobId, () => spool.discard());
  } catch (error) {
    await spool.discard();
    throw error;
  }
}
