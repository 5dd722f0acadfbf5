import type { FileResult } from '@sluice/protocol';

/** One multipart part, spooled: where its bytes are and where it will be staged. */
export interface SpooledPart {
  /** Normalized staged path. */
  path: string;
  /** The part's own Content-Type was application/gzip. */
  gzip: boolean;
  /** Spool object holding the part's bytes, as sent. */
  spool: string;
  offset: number;
  length: number;
  /**
   * A part uploaded in chunks (the chunked /versions route): its content is these objects
   * concatenated, in order, and it is always streamed. `spool`, `offset` and `length` are unused.
   */
  chunks?: string[];
  /** A digest job started on this part while it arrived (see digest-job.ts): its board's id. */
  digest?: string;
  /** The hash the client named for this content; any other content fails with hash_mismatch. */
  expectHash?: string;
}

/** One upload request: a batch of parts for one workspace. */
export interface IngestJobData {
  namespace: string;
  repo: string;
  /**
   * The uuid of the repository the request was for: one deleted and created again under its name
   * is another repository, where this job stages nothing. Absent in jobs an older sluice queued.
   */
  repoUuid?: string;
  workspaceId: string;
  /** Every spool object the request wrote, deleted once the job's files are staged. */
  spoolKeys: string[];
  parts: SpooledPart[];
  /** Bytes of all parts as sent. */
  bytes: number;
  /** False for blob uploads (POST /versions): content is stored, nothing is staged. */
  stage: boolean;
}

// A job's result goes on the wire as it is recorded: its types are the protocol's.
export type { FileResult, IngestProgress, StagedOutcome } from '@sluice/protocol';

export interface IngestJobResult {
  /** Staged paths in request order, as upstream's `paths` (failed files left out). */
  paths: string[];
  files: FileResult[];
  /** Files whose content the version store already had. */
  deduplicated: number;
}
