import type { IngestJobData } from '@sluice/queue';

export interface WholeFile {
  namespace: string;
  repo: string;
  repoUuid: string;
  /** The workspace to stage the file in at `path`; null only stores it (under its hash). */
  workspaceId: string | null;
  path: string;
  /** The hash the client named: any other content fails with hash_mismatch. */
  hash: string;
  /** The objects the file was sent in, in order. */
  keys: string[];
  /** Its bytes as sent, when known before the job (0 if not). */
  bytes: number;
}

/**
 * The ingest job of one file sent in objects of its own (the chunked and resumable routes): one
 * chunked part, streamed from their concatenation, its objects dropped once the job is done.
 */
export function wholeFileJob(file: WholeFile): IngestJobData {
  const { namespace, repo, repoUuid, workspaceId, path, hash, keys, bytes } = file;
  return {
    namespace,
    repo,
    repoUuid,
    workspaceId: workspaceId ?? '',
    bytes,
    stage: workspaceId !== null,
    spoolKeys: keys,
    parts: [{ path, gzip: false, expectHash: hash, chunks: keys }],
  };
}
