import { Type, type Static } from 'typebox';
import type { DataType } from '@sluice/core';
import { CommitView } from './commit-view.js';
import { ErrorCodeSchema } from './envelope.js';

const count = Type.Integer({ minimum: 0 });
const dataTypes: DataType[] = ['text', 'image', 'video', 'audio', 'tabular', 'binary'];

/** How a staged file compares with the workspace's base commit. */
export const StagedOutcome = Type.Enum(['added', 'modified', 'unchanged']);
export type StagedOutcome = Static<typeof StagedOutcome>;

/** Why a file or a job failed: a stable code and a message for people. */
export const FailureView = Type.Object({ code: ErrorCodeSchema, message: Type.String() });
export type FailureView = Static<typeof FailureView>;

/** One file of an upload: staged with its content's facts, or failed alone. */
export const FileResult = Type.Union([
  Type.Object({
    path: Type.String(),
    status: StagedOutcome,
    hash: Type.String({ description: 'xxh3-128 of the content, lowercase hex without leading zeros' }),
    size: count,
    mime_type: Type.String(),
    data_type: Type.Enum(dataTypes),
  }),
  Type.Object({ path: Type.String(), error: FailureView }),
]);
export type FileResult = Static<typeof FileResult>;

export const IngestProgress = Type.Object({
  files_done: count,
  files_total: count,
  bytes_done: count,
  bytes_total: count,
});
export type IngestProgress = Static<typeof IngestProgress>;

/** BullMQ's states in the four a client needs; a job between attempts is queued again. */
export const JobState = Type.Enum(['queued', 'active', 'completed', 'failed']);
export type JobState = Static<typeof JobState>;

/** What every job shows: who it is for, when, how often it was tried, and why it failed. */
const jobHeaderFields = {
  id: Type.String(),
  state: JobState,
  namespace: Type.String(),
  repo_name: Type.String(),
  workspace_id: Type.String(),
  created_at: Type.String(),
  finished_at: Type.Union([Type.String(), Type.Null()]),
  attempts: count,
  error: Type.Optional(FailureView),
};
export const JobHeaderView = Type.Object({ ...jobHeaderFields, kind: Type.Enum(['ingest', 'commit']) });
export type JobHeaderView = Static<typeof JobHeaderView>;

/** An upload's job: progress, and once done the per-file results. */
export const IngestJobView = Type.Object(
  {
    ...jobHeaderFields,
    kind: Type.Literal('ingest'),
    progress: IngestProgress,
    paths: Type.Optional(
      Type.Array(Type.String(), { description: 'once completed: the staged paths in request order' }),
    ),
    files: Type.Optional(Type.Array(FileResult, { description: 'once completed: one result per file part' })),
    deduplicated: Type.Optional(
      Type.Integer({
        minimum: 0,
        description: 'files whose content this repository already referenced, or an earlier file of the job had',
      }),
    ),
  },
  { additionalProperties: false },
);
export type IngestJobView = Static<typeof IngestJobView>;

/** A queued commit: its phase while it runs, the commit once it landed. */
export const CommitJobView = Type.Object(
  {
    ...jobHeaderFields,
    kind: Type.Literal('commit'),
    branch: Type.String(),
    progress: Type.Union([Type.Record(Type.String(), Type.Unknown()), Type.Null()], {
      description: 'where the commit is',
    }),
    commit: Type.Optional(CommitView),
  },
  { additionalProperties: false },
);
export type CommitJobView = Static<typeof CommitJobView>;

export const JobView = Type.Union([IngestJobView, CommitJobView]);
export type JobView = Static<typeof JobView>;
