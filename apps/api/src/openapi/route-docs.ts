import { branch, commit, envelope, errorBody, job, metadataEntry, multipartFiles, pageFields, paths, repository, staged, workspace, type JsonSchema } from './oxen-schemas.js';

/** What the OpenAPI document says about one route: the route carries it as `config.doc`. */
export interface RouteDoc {
  operationId: string;
  summary: string;
  tags: string[];
  description?: string;
  /** The name of the `*` parameter in the document (upstream's name for it). */
  wildcard?: string;
  querystring?: Record<string, JsonSchema>;
  headers?: Record<string, JsonSchema>;
  body?: JsonSchema;
  /** Request body types other than JSON (multipart, raw bytes). */
  consumes?: string[];
  /** Status → schema; a string is a description of a non-JSON body. */
  responses: Record<number, JsonSchema | string>;
  deprecated?: boolean;
}

const ok = (fields: Record<string, JsonSchema> = {}, required: string[] = []) => envelope(fields, required);
const object = (properties: Record<string, JsonSchema>, required: string[] = []): JsonSchema => ({ type: 'object', properties, required });
const str = { type: 'string' };

const asyncHeaders = {
  prefer: { type: 'string', description: 'sluice: `respond-async` answers 202 with a job to poll instead of waiting' },
};
const uploadHeaders = {
  ...asyncHeaders,
  'idempotency-key': { type: 'string', maxLength: 200, description: 'sluice: the same key on the same workspace returns the same job without reading the body again' },
};
const asyncQuery = { async: { type: 'string', enum: ['true', 'false'], description: 'sluice: same as `Prefer: respond-async`' } };
const jobAccepted = { ...ok({ job }, ['job']), description: 'sluice: accepted; `Location` names the job to poll' };
const pageQuery = { page: { type: 'integer', minimum: 1 }, page_size: { type: 'integer', minimum: 1 } };
const commitBody = object({ message: str, author: str, email: str }, ['message', 'author', 'email']);
const pathList = { type: 'array', items: str } as const;

const repoTags = ['Repositories'];
const getOrCreateWorkspace: RouteDoc = {
  operationId: 'get_or_create_workspace',
  summary: 'Get or create a workspace on a branch',
  tags: ['Workspaces'],
  body: object({ workspace_id: str, branch_name: str, name: { type: ['string', 'null'] } }, ['workspace_id', 'branch_name']),
  responses: { 200: ok({ workspace }), 400: errorBody, 404: errorBody },
};
const wsTags = ['Workspaces'];
const fileTags = ['Workspace Files'];
const commitTags = ['Commits and branches'];
const versionTags = ['Versions'];
const sluiceTags = ['sluice'];

/**
 * What the document says about each operation, by its operationId. Each route names its own in
 * its options (`config: { doc: routeDocs.… }`); a route registered without one fails start-up
 * (see openapi.ts), so the document cannot fall behind the routes.
 */
export const routeDocs = {
  version: { operationId: 'version', summary: 'The Oxen server version sluice speaks', tags: ['Server'], responses: { 200: ok({ version: str }) } },
  min_version: { operationId: 'min_version', summary: 'The oldest Oxen client version supported', tags: ['Server'], responses: { 200: ok({ version: str }) } },
  health: { operationId: 'health', summary: 'Liveness: the process serves HTTP', tags: ['Server'], responses: { 200: ok({ healthy: { type: 'boolean' } }) } },
  ready: {
    operationId: 'ready',
    summary: 'Readiness: Redis and the store answer and a worker serves the ingest queue',
    tags: ['Server'],
    responses: {
      200: ok({ redis: str, store: str, workers: { type: 'integer' } }),
      503: { ...errorBody, description: 'not ready (`redis_unavailable`, `store_unavailable`, `no_workers`), with Retry-After' },
    },
  },
  stats: { operationId: 'stats', summary: "sluice: this process's object-store request counts (admin)", tags: sluiceTags, responses: { 200: ok({ store_requests: { type: 'object' } }) } },
  ui: { operationId: 'ui', summary: 'sluice: the live ingest page (asks for an admin token when auth is on)', tags: sluiceTags, responses: { 200: 'an HTML page' } },
  dashboard: {
    operationId: 'dashboard',
    summary: 'sluice: what /ui shows: running totals, queue depth, workers, recent jobs, staged counts of their workspaces (admin)',
    tags: sluiceTags,
    responses: {
      200: ok({
        time: { type: 'integer', description: 'server time, ms since the epoch' },
        totals: object({ files: { type: 'integer' }, bytes: { type: 'integer' }, failed: { type: 'integer' } }),
        workers: { type: 'integer' },
        queues: object({ ingest: { type: 'object' }, commit: { type: 'object' } }),
        recent_jobs: { type: 'array', items: { type: 'object' } },
        workspaces: { type: 'array', items: object({ namespace: str, repo_name: str, workspace_id: str, staged_files: { type: 'integer' }, staged_bytes: { type: 'integer' } }) },
      }),
    },
  },
  metrics: { operationId: 'metrics', summary: 'sluice: Prometheus metrics of this process (admin)', tags: sluiceTags, responses: { 200: 'Prometheus text exposition format' } },

  create_repo: {
    operationId: 'create_repo',
    summary: 'Create a repository',
    tags: repoTags,
    body: object({ namespace: str, name: str, files: { type: 'array', items: object({ path: str, contents: str }) } }, ['namespace', 'name']),
    responses: { 200: ok({ repository }), 400: errorBody, 409: { ...errorBody, description: 'Repo already exists.' } },
  },
  list_repos: { operationId: 'list_repos', summary: 'Repositories of a namespace', tags: repoTags, responses: { 200: ok({ repositories: { type: 'array', items: repository } }) } },
  show_repo: { operationId: 'show_repo', summary: 'One repository', tags: repoTags, responses: { 200: ok({ repository }), 404: errorBody } },

  get_or_create_workspace: getOrCreateWorkspace,
  get_or_create_workspace_post: { ...getOrCreateWorkspace, operationId: 'get_or_create_workspace_post', summary: 'Get or create a workspace (deprecated alias of PUT)', deprecated: true },
  list_workspaces: {
    operationId: 'list_workspaces',
    summary: 'Workspaces of a repository',
    tags: wsTags,
    querystring: { name: { type: 'string', description: 'only the workspace with this name' } },
    responses: { 200: ok({ workspaces: { type: 'array', items: workspace } }), 404: errorBody },
  },
  get_workspace: { operationId: 'get_workspace', summary: 'One workspace, by id or name', tags: wsTags, responses: { 200: ok({ workspace }), 404: errorBody } },
  delete_workspace: { operationId: 'delete_workspace', summary: 'Delete a workspace and its stage', tags: wsTags, responses: { 200: ok({ workspace }), 404: errorBody } },
  validate: { operationId: 'validate', summary: 'Pre-upload check: the workspace exists', tags: wsTags, responses: { 200: ok(), 404: errorBody } },

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
    body: multipartFiles,
    responses: {
      200: { ...ok({ paths }, ['paths']), description: 'File successfully uploaded to workspace' },
      202: jobAccepted,
      400: { ...errorBody, description: 'Invalid upload request' },
      404: { ...errorBody, description: 'Workspace not found' },
      413: { ...errorBody, description: 'Too many parts, body too large, or the workspace quota would be passed' },
      503: { ...errorBody, description: 'Redis or the store is unreachable; retry after Retry-After' },
      504: { ...errorBody, description: 'sluice: the job outlived SLUICE_SYNC_TIMEOUT_SECONDS; poll the job in Location' },
    },
  },
  get_workspace_file: {
    operationId: 'get_workspace_file',
    summary: 'A staged file (or the base commit’s), streamed with its mime type and Content-Length',
    tags: fileTags,
    wildcard: 'path',
    responses: { 200: 'the file content', 404: errorBody },
  },
  mv: {
    operationId: 'mv',
    summary: 'Move or rename a file within the workspace',
    tags: fileTags,
    wildcard: 'path',
    body: object({ new_path: str }, ['new_path']),
    responses: { 200: ok(), 400: errorBody, 404: errorBody },
  },
  rm_files: {
    operationId: 'rm_files',
    summary: 'Stage removals of committed files and directories',
    tags: fileTags,
    body: pathList,
    responses: { 200: ok({ paths }), 206: { ...ok({ paths }), description: 'some paths could not be removed: those are listed' }, 404: errorBody },
  },
  rm_files_versions: {
    operationId: 'rm_files_versions',
    summary: 'Stage removals (deprecated alias of DELETE …/files)',
    tags: fileTags,
    deprecated: true,
    body: pathList,
    responses: { 200: ok({ paths }), 206: ok({ paths }), 404: errorBody },
  },
  unstage_file: {
    operationId: 'unstage_file',
    summary: 'Unstage one path (deprecated alias of DELETE …/changes/{path})',
    tags: fileTags,
    wildcard: 'path',
    deprecated: true,
    responses: { 200: ok(), 404: errorBody },
  },
  list_root: {
    operationId: 'list_root',
    summary: 'Staged changes of the workspace, paginated',
    tags: wsTags,
    querystring: { page: { type: 'integer', minimum: 1 }, page_size: { type: 'integer', minimum: 1 } },
    responses: { 200: ok({ staged }), 404: errorBody },
  },
  list_changes: {
    operationId: 'list_changes',
    summary: 'Staged changes under a directory, paginated',
    tags: wsTags,
    wildcard: 'path',
    querystring: { page: { type: 'integer', minimum: 1 }, page_size: { type: 'integer', minimum: 1 } },
    responses: { 200: ok({ staged }), 404: errorBody },
  },
  unstage: { operationId: 'unstage', summary: 'Unstage one path', tags: wsTags, wildcard: 'path', responses: { 200: ok(), 404: errorBody } },
  unstage_many: { operationId: 'unstage_many', summary: 'Unstage a list of paths', tags: wsTags, body: pathList, responses: { 200: ok(), 404: errorBody } },
  unstage_many_staged: {
    operationId: 'unstage_many_staged',
    summary: 'Unstage a list of paths (deprecated alias of DELETE …/changes)',
    tags: wsTags,
    deprecated: true,
    body: pathList,
    responses: { 200: ok(), 404: errorBody },
  },

  commit: {
    operationId: 'commit',
    summary: 'Commit the workspace onto a branch',
    description: 'The new commit’s parent is the branch head. A staged file changed on the branch since the workspace’s base is a conflict (409). `Prefer: respond-async` (sluice) answers 202 with a commit job.',
    tags: commitTags,
    wildcard: 'branch',
    headers: asyncHeaders,
    body: commitBody,
    responses: { 200: ok({ commit }), 202: jobAccepted, 400: errorBody, 404: errorBody, 409: { ...errorBody, description: 'Workspace is behind' }, 422: { ...errorBody, description: 'NoChanges: nothing is staged' } },
  },
  commit_deprecated: {
    operationId: 'commit_deprecated',
    summary: 'Commit the workspace (deprecated alias of …/merge/{branch})',
    tags: commitTags,
    wildcard: 'branch',
    deprecated: true,
    headers: asyncHeaders,
    body: commitBody,
    responses: { 200: ok({ commit }), 202: jobAccepted, 409: errorBody, 422: errorBody },
  },
  mergeability: {
    operationId: 'mergeability',
    summary: 'Whether the workspace can be committed onto the branch',
    tags: commitTags,
    wildcard: 'branch',
    responses: { 200: ok({ is_mergeable: { type: 'boolean' }, conflicts: { type: 'array', items: object({ path: str }) }, commits: { type: 'array', items: commit } }), 404: errorBody },
  },

  list_branches: { operationId: 'list_branches', summary: 'Branches', tags: commitTags, responses: { 200: ok({ branches: { type: 'array', items: branch } }) } },
  create_branch: {
    operationId: 'create_branch',
    summary: 'Create a branch from a branch or a commit',
    tags: commitTags,
    body: object({ new_name: str, from_name: str, commit_id: str }, ['new_name']),
    responses: { 200: ok({ branch }), 400: errorBody, 404: errorBody, 409: errorBody },
  },
  update_branch: {
    operationId: 'update_branch',
    summary: 'Move a branch to one of the repository\'s commits',
    tags: commitTags,
    wildcard: 'branch_name',
    body: object({ commit_id: str }, ['commit_id']),
    responses: { 200: ok({ branch }), 400: errorBody, 404: errorBody },
  },
  show_branch: { operationId: 'show_branch', summary: 'One branch', tags: commitTags, wildcard: 'branch_name', responses: { 200: ok({ branch }), 404: errorBody } },
  show_commit: { operationId: 'show_commit', summary: 'One commit', tags: commitTags, responses: { 200: ok({ commit }), 404: errorBody } },
  complete_commit: { operationId: 'complete_commit', summary: 'Hook the client calls after a commit', tags: commitTags, responses: { 200: ok({ commit }), 404: errorBody } },
  action: { operationId: 'action', summary: 'Client notification hook (started, completed)', tags: commitTags, responses: { 200: ok({ action: str, state: str }) } },
  action_get: { operationId: 'action_get', summary: 'Client notification hook (started, completed)', tags: commitTags, responses: { 200: ok({ action: str, state: str }) } },
  get_file: {
    operationId: 'get_file',
    summary: 'Committed content at a revision (a branch name or a commit id, then the path)',
    tags: commitTags,
    wildcard: 'revision_and_path',
    responses: { 200: 'the file content, with oxen-revision-id', 404: errorBody },
  },
  list_dir: {
    operationId: 'list_dir',
    summary: 'Directory listing at a revision (a branch name or a commit id, then the path), a page at a time',
    tags: commitTags,
    wildcard: 'revision_and_path',
    querystring: pageQuery,
    responses: {
      200: ok({ dir: { anyOf: [metadataEntry, { type: 'null' }] }, entries: { type: 'array', items: metadataEntry }, resource: object({ path: str, version: str }), metadata: { type: 'null' }, ...pageFields }),
      400: errorBody, 404: errorBody,
    },
  },
  list_commit_history: {
    operationId: 'list_commit_history',
    summary: 'The log of a revision (and, after it, of one path), newest first, a page at a time',
    tags: commitTags,
    wildcard: 'revision_and_path',
    querystring: pageQuery,
    responses: { 200: ok({ commits: { type: 'array', items: commit }, ...pageFields }), 400: errorBody, 404: errorBody },
  },
  get_revision: {
    operationId: 'get_revision',
    summary: 'A revision resolved to its commit, and its branch when it names one',
    tags: commitTags,
    wildcard: 'revision',
    responses: {
      200: ok({ resource: object({ workspace: { type: 'null' }, commit, branch: { anyOf: [branch, { type: 'null' }] }, path: str, version: str, resource: str }) }),
      404: errorBody,
    },
  },

  begin_version_upload: {
    operationId: 'begin_version_upload',
    summary: 'Begin a resumable upload of a large file in parts (newer clients)',
    description: 'Content this repository already references answers `file.status: already_stored` and is staged at the destination at once; otherwise `awaiting_parts` with the upload id, the part size (every part but the last), the number of parts and the part window. A file is at most 1 TiB.',
    tags: versionTags,
    body: object({ hash: str, size: { type: 'integer', minimum: 1 }, destination: { type: ['object', 'null'], properties: { path: str, workspace_id: str } } }, ['hash', 'size']),
    responses: {
      200: ok({ file: object({ status: { type: 'string', enum: ['awaiting_parts', 'already_stored'] }, upload_id: str, part_size: { type: 'integer' }, num_parts: { type: 'integer' }, part_window: { type: 'integer' }, hash: str, size: { type: 'integer' } }, ['status']) }),
      400: errorBody, 404: errorBody,
    },
  },
  upload_version_part: {
    operationId: 'upload_version_part',
    summary: 'One part of a resumable upload, numbered from 1',
    description: 'Parts may come in any order within the window (429 + Retry-After beyond it, or while the same part is being stored); a part resent after it was stored is accepted and ignored. The part that completes the file is answered with `completed: true` once the worker has verified the hash and staged the file. A finished, aborted or unknown upload answers 404.',
    tags: versionTags,
    consumes: ['application/octet-stream'],
    responses: { 200: ok({ upload_id: str, part_number: { type: 'integer' }, completed: { type: 'boolean' }, hash: str, path: { type: ['string', 'null'] } }, ['completed']), 400: errorBody, 404: errorBody, 429: errorBody },
  },
  create_chunked_upload: { operationId: 'create_chunked_upload', summary: 'Start a chunked upload of a large file', tags: versionTags, responses: { 200: ok(), 400: errorBody } },
  upload_chunk: {
    operationId: 'upload_chunk',
    summary: 'One chunk of a large file, at a byte offset',
    tags: versionTags,
    querystring: { offset: { type: 'integer', minimum: 0 } },
    consumes: ['application/octet-stream'],
    body: { type: 'string', format: 'binary' },
    responses: { 200: ok(), 400: errorBody },
  },
  complete_chunked_upload: {
    operationId: 'complete_chunked_upload',
    summary: 'Reassemble and verify a chunked upload; with workspace_id, stage it',
    tags: versionTags,
    body: object({ workspace_id: str, files: { type: 'array', items: object({ hash: str, file_name: str, dst_dir: str, num_chunks: { type: 'integer' } }) } }),
    responses: { 200: ok({ hash: str, path: { type: ['string', 'null'] }, job_id: { type: ['string', 'null'], description: 'null when the content was stored already and is staged by hash' } }), 400: errorBody, 404: errorBody },
  },
  batch_upload: {
    operationId: 'batch_upload',
    summary: 'Store blobs: multipart parts named by their content hash',
    tags: versionTags,
    consumes: ['multipart/form-data'],
    body: multipartFiles,
    responses: { 200: ok({ err_files: { type: 'array', items: { type: 'object' } } }), 400: errorBody },
  },

  stage_hashes: {
    operationId: 'stage_hashes',
    summary: 'sluice: stage files by content hash, for content the server already holds',
    description: 'For clients that hash locally: the files whose content is in the version store are staged (or echoed as unchanged against the base commit) without sending their bytes; `missing` lists the paths to upload as usual. At most 5000 files per request.',
    tags: [...fileTags, ...sluiceTags],
    body: object({ files: { type: 'array', maxItems: 5000, items: object({ path: str, hash: str }, ['path', 'hash']) } }, ['files']),
    responses: { 200: ok({ paths, missing: paths }, ['paths', 'missing']), 400: errorBody, 404: errorBody, 413: errorBody },
  },
  get_job: {
    operationId: 'get_job',
    summary: 'sluice: an upload or commit job: state, progress, per-file results',
    tags: sluiceTags,
    responses: { 200: ok({ job }, ['job']), 404: errorBody },
  },
} satisfies Record<string, RouteDoc>;
