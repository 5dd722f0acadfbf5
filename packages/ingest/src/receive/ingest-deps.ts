import type { Limits } from '@sluice/core';
import type { IngestJobs } from '@sluice/queue';
import type { WorkspaceStore } from '@sluice/repository';
import type { ChunkedUploadDeps } from './receive-chunk.js';
import type { ReceiveUploadPartDeps } from './receive-upload-part.js';
import type { EarlyStart } from './spool-writer.js';
import type { StageKnownContentDeps } from '../stage/stage-known-content.js';

/** What the upload use cases need: the stores they write, the ingest queue they hand jobs to, and the limits. */
export interface IngestDeps extends StageKnownContentDeps, ChunkedUploadDeps, ReceiveUploadPartDeps {
  workspaces: WorkspaceStore;
  jobs: IngestJobs;
  /** Where a large part's digest starts while it is still arriving. */
  early: EarlyStart;
  limits: Limits;
}
