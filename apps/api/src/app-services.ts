import type { QueueEvents } from 'bullmq';
import type { RedisClient } from '@sluice/repository';
import type { DigestBoard, IngestTotals } from '@sluice/ingest';
import type { Config } from '@sluice/core';
import type { BlobStore, CountingBlobStore } from '@sluice/storage';
import type {
  LegacyContent,
  ObjectStore,
  PackIndex,
  RepoEraser,
  RepoStore,
  StageEditor,
  StagingIndex,
  UploadStore,
  VersionIndex,
  VersionReader,
  VersionWriter,
  WorkspaceCommitter,
  WorkspaceStore,
} from '@sluice/repository';
import type { CommitQueue, DigestQueue, IngestQueue } from '@sluice/queue';
import type { TokenStore } from './auth/token-store.js';

/** Everything the routes use, built once at start-up (see create-services.ts). */
export interface AppServices {
  config: Config;
  redis: RedisClient;
  store: BlobStore;
  storeCounts: CountingBlobStore;
  objects: ObjectStore;
  versions: VersionIndex;
  /** Where packed versions sit; reading and writing versions wherever they are (packs or objects of their own). */
  packs: PackIndex;
  /** The content index's keys of before content buckets, migrated by the worker side at start. */
  legacyContent: LegacyContent;
  versionReader: VersionReader;
  versionWriter: VersionWriter;
  repos: RepoStore;
  /** Deletes a repository's keys in bounded batches. */
  eraser: RepoEraser;
  workspaces: WorkspaceStore;
  staging: StagingIndex;
  /** Resumable uploads (POST R/versions/uploads) in progress. */
  uploads: UploadStore;
  totals: IngestTotals;
  committer: WorkspaceCommitter;
  stageEditor: StageEditor;
  queue: IngestQueue;
  commitQueue: CommitQueue;
  /** Large parts' early starts (digest-job.ts), and the board the API and the worker share for them. */
  digestQueue: DigestQueue;
  digestBoard: DigestBoard;
  events: QueueEvents;
  /** The commit queue's events: a synchronous commit waits for its job on them. */
  commitEvents: QueueEvents;
  /** Null when SLUICE_AUTH is off. */
  tokens: TokenStore | null;
}
