import type { FastifySchema } from 'fastify';
import type { ErrorCode } from '@sluice/core';
import { Type, type TProperties, type TSchema } from 'typebox';
import {
  BeginUploadBody, BranchView, CommitBody, CommitJobView, CommitView, CompleteChunkedBody, CreateBranchBody, CreateRepoBody, Envelope, ErrorBody,
  errorAnswer, JobView, MetadataEntry, MoveBody, Opaque, pageFields, PathList, RepositoryView, StageHashesBody, StagedChanges, UpdateBranchBody,
  WorkspaceBody, WorkspaceView, IngestJobView,
} from '@sluice/protocol';

/**
 * One route's schema: what Fastify validates (params, querystring, headers, JSON body), what the
 * answers are (checked under SLUICE_CHECK_ANSWERS), and what the OpenAPI document says of it.
 */
export interface RouteSchema extends FastifySchema {
  operationId: string;
  summary: string;
  tags: string[];
  description?: string;
  deprecated?: boolean;
  /** The name of the `*` parameter in the document (upstream's name for it). */
  wildcard?: string;
  /** Request body types other than JSON, which handlers stream themselves (multipart, raw bytes). */
  consumes?: string[];
  /** What a streamed body holds: documented, never validated (Fastify does not parse it). */
  streamedBody?: TSchema;
  response: Record<number, TSchema>;
  /** The code a request the schema refuses answers with (400), by the field at fault; `bad_request` for the rest. */
  refusals?: Record<string, ErrorCode>;
}

/** An answer that is not JSON: file bytes, a page, metrics text. */
function bytesAnswer(description: string, mediaType = 'application/octet-stream'): TSchema {
  return { description, content: { [mediaType]: { schema: { type: 'string', ...(mediaType === 'application/octet-stream' ? { format: 'binary' } : {}) } } } } as unknown as TSchema;
}

const str = Type.String();
const count = Type.Integer({ minimum: 0 });
const optional = <T extends TSchema>(schema: T) => Type.Optional(schema);
const query = (fields: TProperties) => Type.Object(fields);
const ok = (fields: TProperties = {}, description?: string) => Envelope(fields, description === undefined ? {} : { description });
const paths = PathList;
const notFound = ErrorBody;

const asyncHeaders = {
  prefer: optional(Type.String({ description: 'sluice: `respond-async` answers 202 with a job to poll instead of waiting' })),
};
const uploadHeaders = Type.Object({
  ...asyncHeaders,
  'idempotency-key': optional(Type.String({ maxLength: 200, description: 'sluice: the same key on the same workspace returns the same job without reading the body again' })),
});
const asyncQuery = query({ async: optional(Type.String({ description: 'sluice: `true` is the same as `Prefer: respond-async`' })) });
const jobAccepted = (job: TSchema) => ok({ job }, 'sluice: accepted; `Location` names the job to poll');
const pageQuery = query({ page: optional(Type.Integer({ minimum: 1 })), page_size: optional(Type.Integer({ minimum: 1 })) });

/** One part per file, as the add and batch-upload routes take them. */
const multipartFiles = Type.Object({
  'file[]': optional(Type.Array(Type.String({ format: 'binary' }), {
    description: 'One part per file. The filename is the path relative to {path} (UTF-8, subdirectories kept). A part sent with Content-Type application/gzip is gunzipped; any other part is stored as sent.',
  })),
  file: optional(Type.String({ format: 'binary', description: 'Also accepted, as upstream does' })),
});
const rawBytes = Type.String({ format: 'binary' });

const repoTags = ['Repositories'];
const wsTags = ['Workspaces'];
const fileTags = ['Workspace Files'];
const commitTags = ['Commits and branches'];
const versionTags = ['Versions'];
const sluiceTags = ['sluice'];

const getOrCreateWorkspace: RouteSchema = {
  operationId: 'get_or_create_workspace',
  summary: 'Get or create a workspace on a branch',
  tags: wsTags,
  body: WorkspaceBody,
  response: { 200: ok({ workspace: WorkspaceView }), 400: ErrorBody, 404: notFound },
};
const removedAnswer = ok({ paths }, 'the paths whose removal is staged');
const someNotRemoved = ok({ paths, status_description: optional(str) }, 'some paths could not be removed: those are listed, with status `error`');
const commitAnswers = {
  200: ok({ commit: CommitView }),
  202: jobAccepted(CommitJobView),
  400: ErrorBody,
  404: notFound,
  409: errorAnswer('Workspace is behind'),
  422: errorAnswer('NoChanges: nothing is staged'),
};
const dirAnswer = ok({
  dir: Type.Union([MetadataEntry, Type.Null()]),
  entries: Type.Array(MetadataEntry),
  resource: Type.Object({ path: str, version: str }),
  metadata: Type.Null(),
  ...pageFields,
});

/**
 * Every operation's schema, by its operationId. Each route names its own in its options
 * (`schema: routeSchemas.…`); a route registered without one fails start-up (see openapi.ts),
 * so the document cannot fall behind the routes.
 */
export const routeSchemas = {
  version: { operationId: 'version', summary: 'The Oxen server version sluice speaks', tags: ['Server'], response: { 200: ok({ version: str }) } },
  min_version: { operationId: 'min_version', summary: 'The oldest Oxen client version supported', tags: ['Server'], response: { 200: ok({ version: str }) } },
  health: { operationId: 'health', summary: 'Liveness: the process serves HTTP', tags: ['Server'], response: { 200: ok({ healthy: Type.Boolean() }) } },
  ready: {
    operationId: 'ready',
    summary: 'Readiness: Redis and the store answer, the store has room, and a worker serves the ingest queue',
    tags: ['Server'],
    response: {
      200: ok({ redis: str, store: str, room: str, free_bytes: Type.Union([count, Type.Null()]), workers: count }),
      503: errorAnswer('not ready (`redis_unavailable`, `store_unavailable`, `storage_full`, `no_workers`), with Retry-After'),
    },
  },
  stats: { operationId: 'stats', summary: "sluice: this process's object-store request counts (admin)", tags: sluiceTags, response: { 200: ok({ store_requests: Type.Record(str, Type.Record(str, count), { description: 'requests by key area (versions, packs, spool, …), then by operation' }) }) } },
  ui: { operationId: 'ui', summary: 'sluice: the live ingest page (asks for an admin token when auth is on)', tags: sluiceTags, response: { 200: bytesAnswer('an HTML page', 'text/html') } },
  dashboard: {
    operationId: 'dashboard',
    summary: 'sluice: what /ui shows: running totals, queue depth, workers, recent jobs, staged counts of their workspaces (admin)',
    tags: sluiceTags,
    querystring: query({ page: optional(Type.Integer({ minimum: 1 })) }),
    response: {
      200: ok({
        time: Type.Integer({ description: 'server time, ms since the epoch' }),
        totals: Type.Object({ files: count, bytes: count, failed: count }),
        workers: count,
        queues: Type.Object({ ingest: Type.Record(str, count), commit: Type.Record(str, count) }),
        recent_jobs: Type.Array(Opaque),
        page: Type.Integer({ minimum: 1 }),
        more_jobs: Type.Boolean(),
        workspaces: Type.Array(Type.Object({ namespace: str, repo_name: str, workspace_id: str, staged_files: count, staged_bytes: count })),
      }),
    },
  },
  metrics: { operationId: 'metrics', summary: 'sluice: Prometheus metrics of this process (admin)', tags: sluiceTags, response: { 200: bytesAnswer('Prometheus text exposition format', 'text/plain') } },

  create_repo: {
    operationId: 'create_repo',
    summary: 'Create a repository',
    tags: repoTags,
    body: CreateRepoBody,
    refusals: { namespace: 'invalid_name', name: 'invalid_name' },
    response: { 200: ok({ repository: RepositoryView }), 400: ErrorBody, 409: errorAnswer('Repo already exists.') },
  },
  list_repos: { operationId: 'list_repos', summary: 'Repositories of a namespace', tags: repoTags, response: { 200: ok({ repositories: Type.Array(RepositoryView) }) } },
  show_repo: { operationId: 'show_repo', summary: 'One repository', tags: repoTags, response: { 200: ok({ repository: RepositoryView }), 404: notFound } },

  get_or_create_workspace: getOrCreateWorkspace,
  get_or_create_workspace_post: { ...getOrCreateWorkspace, operationId: 'get_or_create_workspace_post', summary: 'Get or create a workspace (deprecated alias of PUT)', deprecated: true },
  list_workspaces: {
    operationId: 'list_workspaces',
    summary: 'Workspaces of a repository',
    tags: wsTags,
    querystring: query({ name: optional(Type.String({ description: 'only the workspace with this name' })) }),
    response: { 200: ok({ workspaces: Type.Array(WorkspaceView) }), 404: notFound },
  },
  get_workspace: { operationId: 'get_workspace', summary: 'One workspace, by id or name', tags: wsTags, response: { 200: ok({ workspace: WorkspaceView }), 404: notFound } },
  delete_workspace: { operationId: 'delete_workspace', summary: 'Delete a workspace and its stage', tags: wsTags, response: { 200: ok({ workspace: WorkspaceView }), 404: notFound } },
  validate: { operationId: 'validate', summary: 'Pre-upload check: the workspace exists', tags: wsTags, response: { 200: ok(), 404: notFound } },

  add: {
    operationId: 'add',
    summary: 'Add files to workspace',
    description:
      'Upload and stage files to a workspace. Accepts a multipart body with gzipped (`Content-Type: application/gzip`) or uncompressed file parts; the filename of each part is its path under {path}, and the server computes each hash (xxh3-128). One invalid path fails the whole request and stages nothing. The answer lists the staged paths in request order; a part that fails alone (corrupt gzip, inflate limits) is left out. sluice extensions: `Prefer: respond-async` or `?async=true` answers 202 with a job once the upload is durable; `Idempotency-Key` makes a retry return the same job.',
    tags: fileTags,
    wildcard: 'path',
    headers: uploadHeaders,
    querystring: asyncQuery,
    consumes: ['multipart/form-data'],
    streamedBody: multipartFiles,
    response: {
      200: ok({ paths }, 'File successfully uploaded to workspace'),
      202: jobAccepted(IngestJobView),
      400: errorAnswer('Invalid upload request'),
      404: errorAnswer('Workspace not found'),
      413: errorAnswer('Too many parts, body too large, or the workspace quota would be passed'),
      503: errorAnswer('Redis or the store is unreachable; retry after Retry-After'),
      504: errorAnswer('sluice: the job outlived SLUICE_SYNC_TIMEOUT_SECONDS; poll the job in Location'),
    },
  },
  get_workspace_file: {
    operationId: 'get_workspace_file',
    summary: 'A staged file (or the base commit’s), streamed with its mime type and Content-Length',
    tags: fileTags,
    wildcard: 'path',
    response: { 200: bytesAnswer('the file content'), 404: notFound },
  },
  mv: {
    operationId: 'mv',
    summary: 'Move or rename a file within the workspace',
    tags: fileTags,
    wildcard: 'path',
    body: MoveBody,
    response: { 200: ok(), 400: ErrorBody, 404: notFound },
  },
  rm_files: {
    operationId: 'rm_files',
    summary: 'Stage removals of committed files and directories',
    tags: fileTags,
    body: PathList,
    response: { 200: removedAnswer, 206: someNotRemoved, 404: notFound },
  },
  rm_files_versions: {
    operationId: 'rm_files_versions',
    summary: 'Stage removals (deprecated alias of DELETE …/files)',
    tags: fileTags,
    deprecated: true,
    body: PathList,
    response: { 200: removedAnswer, 206: someNotRemoved, 404: notFound },
  },
  unstage_file: {
    operationId: 'unstage_file',
    summary: 'Unstage one path (deprecated alias of DELETE …/changes/{path})',
    tags: fileTags,
    wildcard: 'path',
    deprecated: true,
    response: { 200: ok(), 404: notFound },
  },
  list_root: {
    operationId: 'list_root',
    summary: 'Staged changes of the workspace, paginated',
    tags: wsTags,
    querystring: pageQuery,
    response: { 200: ok({ staged: StagedChanges }), 404: notFound },
  },
  list_changes: {
    operationId: 'list_changes',
    summary: 'Staged changes under a directory, paginated',
    tags: wsTags,
    wildcard: 'path',
    querystring: pageQuery,
    response: { 200: ok({ staged: StagedChanges }), 404: notFound },
  },
  unstage: { operationId: 'unstage', summary: 'Unstage one path', tags: wsTags, wildcard: 'path', response: { 200: ok(), 404: notFound } },
  unstage_many: { operationId: 'unstage_many', summary: 'Unstage a list of paths', tags: wsTags, body: PathList, response: { 200: ok(), 404: notFound } },
  unstage_many_staged: {
    operationId: 'unstage_many_staged',
    summary: 'Unstage a list of paths (deprecated alias of DELETE …/changes)',
    tags: wsTags,
    deprecated: true,
    body: PathList,
    response: { 200: ok(), 404: notFound },
  },

  commit: {
    operationId: 'commit',
    summary: 'Commit the workspace onto a branch',
    description: 'The new commit’s parent is the branch head. A staged file changed on the branch since the workspace’s base is a conflict (409). `Prefer: respond-async` (sluice) answers 202 with a commit job.',
    tags: commitTags,
    wildcard: 'branch',
    headers: Type.Object(asyncHeaders),
    body: CommitBody,
    response: commitAnswers,
  },
  commit_deprecated: {
    operationId: 'commit_deprecated',
    summary: 'Commit the workspace (deprecated alias of …/merge/{branch})',
    tags: commitTags,
    wildcard: 'branch',
    deprecated: true,
    headers: Type.Object(asyncHeaders),
    body: CommitBody,
    response: commitAnswers,
  },
  mergeability: {
    operationId: 'mergeability',
    summary: 'Whether the workspace can be committed onto the branch',
    tags: commitTags,
    wildcard: 'branch',
    response: { 200: ok({ is_mergeable: Type.Boolean(), conflicts: Type.Array(Type.Object({ path: str })), commits: Type.Array(CommitView) }), 404: notFound },
  },

  list_branches: { operationId: 'list_branches', summary: 'Branches', tags: commitTags, response: { 200: ok({ branches: Type.Array(BranchView) }), 404: notFound } },
  create_branch: {
    operationId: 'create_branch',
    summary: 'Create a branch from a branch (`from_name`) or a commit (`commit_id`)',
    tags: commitTags,
    body: CreateBranchBody,
    response: { 200: ok({ branch: BranchView }), 400: ErrorBody, 404: notFound, 409: ErrorBody },
  },
  update_branch: {
    operationId: 'update_branch',
    summary: 'Move a branch to one of the repository\'s commits',
    tags: commitTags,
    wildcard: 'branch_name',
    body: UpdateBranchBody,
    response: { 200: ok({ branch: BranchView }), 400: ErrorBody, 404: notFound },
  },
  show_branch: { operationId: 'show_branch', summary: 'One branch', tags: commitTags, wildcard: 'branch_name', response: { 200: ok({ branch: BranchView }), 404: notFound } },
  show_commit: { operationId: 'show_commit', summary: 'One commit', tags: commitTags, response: { 200: ok({ commit: CommitView }), 404: notFound } },
  complete_commit: { operationId: 'complete_commit', summary: 'Hook the client calls after a commit', tags: commitTags, response: { 200: ok({ commit: CommitView }), 404: notFound } },
  action: { operationId: 'action', summary: 'Client notification hook (started, completed)', tags: commitTags, response: { 200: ok({ action: str, state: str }) } },
  action_get: { operationId: 'action_get', summary: 'Client notification hook (started, completed)', tags: commitTags, response: { 200: ok({ action: str, state: str }) } },
  get_file: {
    operationId: 'get_file',
    summary: 'Committed content at a revision (a branch name or a commit id, then the path)',
    tags: commitTags,
    wildcard: 'revision_and_path',
    response: { 200: bytesAnswer('the file content, with oxen-revision-id'), 404: notFound },
  },
  list_dir: {
    operationId: 'list_dir',
    summary: 'Directory listing at a revision (a branch name or a commit id, then the path), a page at a time',
    tags: commitTags,
    wildcard: 'revision_and_path',
    querystring: pageQuery,
    response: { 200: dirAnswer, 400: ErrorBody, 404: notFound },
  },
  list_commit_history: {
    operationId: 'list_commit_history',
    summary: 'The log of a revision (and, after it, of one path), newest first, a page at a time',
    tags: commitTags,
    wildcard: 'revision_and_path',
    querystring: pageQuery,
    response: { 200: ok({ commits: Type.Array(CommitView), ...pageFields }), 400: ErrorBody, 404: notFound },
  },
  get_revision: {
    operationId: 'get_revision',
    summary: 'A revision resolved to its commit, and its branch when it names one',
    tags: commitTags,
    wildcard: 'revision',
    response: {
      200: ok({ resource: Type.Object({ workspace: Type.Null(), commit: CommitView, branch: Type.Union([BranchView, Type.Null()]), path: str, version: str, resource: str }) }),
      404: notFound,
    },
  },

  begin_version_upload: {
    operationId: 'begin_version_upload',
    summary: 'Begin a resumable upload of a large file in parts (newer clients)',
    description: 'Content this repository already references answers `file.status: already_stored` and is staged at the destination at once; otherwise `awaiting_parts` with the upload id, the part size (every part but the last), the number of parts and the part window. A file is at most 1 TiB.',
    tags: versionTags,
    body: BeginUploadBody,
    response: {
      200: ok({
        file: Type.Object({
          status: Type.Enum(['awaiting_parts', 'already_stored']),
          upload_id: optional(str), part_size: optional(count), num_parts: optional(count), part_window: optional(count), hash: optional(str), size: optional(count),
        }),
      }),
      400: ErrorBody, 404: notFound,
    },
  },
  upload_version_part: {
    operationId: 'upload_version_part',
    summary: 'One part of a resumable upload, numbered from 1',
    description: 'Parts may come in any order within the window (429 + Retry-After beyond it, or while the same part is being stored); a part resent after it was stored is accepted and ignored. The part that completes the file is answered with `completed: true` once the worker has verified the hash and staged the file. A finished, aborted or unknown upload answers 404.',
    tags: versionTags,
    consumes: ['application/octet-stream'],
    streamedBody: rawBytes,
    response: {
      200: ok({ upload_id: str, part_number: count, completed: Type.Boolean(), hash: optional(str), path: optional(Type.Union([str, Type.Null()])), job_id: optional(Type.Union([str, Type.Null()])) }),
      400: ErrorBody, 404: notFound, 429: ErrorBody,
    },
  },
  create_chunked_upload: { operationId: 'create_chunked_upload', summary: 'Start a chunked upload of a large file', tags: versionTags, response: { 200: ok(), 400: ErrorBody } },
  upload_chunk: {
    operationId: 'upload_chunk',
    summary: 'One chunk of a large file, at a byte offset',
    tags: versionTags,
    querystring: query({ offset: optional(Type.Integer({ minimum: 0 })) }),
    consumes: ['application/octet-stream'],
    streamedBody: rawBytes,
    response: { 200: ok(), 400: ErrorBody },
  },
  complete_chunked_upload: {
    operationId: 'complete_chunked_upload',
    summary: 'Reassemble and verify a chunked upload; with workspace_id, stage it',
    tags: versionTags,
    body: CompleteChunkedBody,
    response: {
      200: ok({ hash: str, path: Type.Union([str, Type.Null()]), job_id: Type.Union([str, Type.Null()], { description: 'null when the content was stored already and is staged by hash' }) }),
      400: ErrorBody, 404: notFound,
    },
  },
  batch_upload: {
    operationId: 'batch_upload',
    summary: 'Store blobs: multipart parts named by their content hash',
    tags: versionTags,
    consumes: ['multipart/form-data'],
    streamedBody: multipartFiles,
    response: { 200: ok({ err_files: Type.Array(Opaque) }), 400: ErrorBody },
  },

  stage_hashes: {
    operationId: 'stage_hashes',
    summary: 'sluice: stage files by content hash, for content the server already holds',
    description: 'For clients that hash locally: the files whose content is in the version store are staged (or echoed as unchanged against the base commit) without sending their bytes; `missing` lists the paths to upload as usual. At most 5000 files per request (413 beyond).',
    tags: [...fileTags, ...sluiceTags],
    body: StageHashesBody,
    response: { 200: ok({ paths, missing: paths }), 400: ErrorBody, 404: notFound, 413: ErrorBody },
  },
  get_job: {
    operationId: 'get_job',
    summary: 'sluice: an upload or commit job: state, progress, per-file results',
    tags: sluiceTags,
    response: { 200: ok({ job: JobView }), 404: notFound },
  },
} satisfies Record<string, RouteSchema>;
