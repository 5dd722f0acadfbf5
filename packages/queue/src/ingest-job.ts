import type { FileResult } from '@sluice/protocol';

interface PartDestination {
  /** Normalized staged path. */
  path: string;
  /** The part's own Content-Type was application/gzip. */
  gzip: boolean;
  /** The hash the client named for this content; any other content fails with hash_mismatch. */
  expectHash?: string;
  /** A digest job started on this part while it arrived (see digest-job.ts): its board's id. */
  digest?: string;
}

/**
 * A part whose bytes, as sent, are `length` bytes at `offset` of one spool object: a small part
 * in a request's shared segment, or a large one that fit in one chunk.
 */
export interface SegmentPart extends PartDestination {
  spool: string;
  offset: number;
  length: number;
}

/**
 * A part whose bytes are these objects concatenated, in order: a large multipart part of more than
 * one chunk, or a file sent in chunks or parts of their own (the chunked and resumable routes). It is
 * always streamed. `length` is its bytes as sent when one request sent it all.
 */
export interface ChunkedPart extends PartDestination {
  chunks: string[];
  length?: number;
}

/** One part of an upload, spooled: where its bytes are and where it will be staged. */
export type SpooledPart = SegmentPart | ChunkedPart;

/** Whether a part's bytes are objects of their own (read as their concatenation), not a range of one. */
export function isChunkedPart(part: SpooledPart): part is ChunkedPart {
  // jobs queued by an older sluice carry `spool`, `offset` and `length` beside `chunks`; `chunks` decides
  return 'chunks' in part;
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
