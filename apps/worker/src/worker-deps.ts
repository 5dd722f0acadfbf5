import type { BlobStore } from '@sluice/storage';
import type {
  ObjectStore,
  RepoStore,
  StagingIndex,
  VersionIndex,
  VersionWriter,
  WorkspaceCommitter,
  WorkspaceStore,
} from '@sluice/repository';
import type { DigestBoard, IngestTotals } from '@sluice/ingest';

/** The services the worker runs its jobs on, built once per process by the entry (apps/sluice). */
export interface WorkerDeps {
  /** Spool segments and pending objects to read and drop. */
  store: BlobStore;
  objects: ObjectStore;
  versions: VersionIndex;
  versionWriter: VersionWriter;
  staging: StagingIndex;
  /** What each repository already references: a job counts only that content as deduplicated. */
  repos: RepoStore;
  workspaces: WorkspaceStore;
  committer: WorkspaceCommitter;
  /** Large parts hashed while they arrive: the digest jobs fill it, the ingest jobs read it. */
  digestBoard: DigestBoard;
  /** The dashboard's counters of files, bytes and commits. */
  totals: IngestTotals;
}
