import { Type } from 'typebox';
import {
  CommitBody,
  CommitJobView,
  CommitView,
  ErrorBody,
  errorAnswer,
  MoveBody,
  PathList,
  StageHashesBody,
  StagedChanges,
  WorkspaceBody,
  WorkspaceView,
  IngestJobView,
} from '@sluice/protocol';
import {
  asyncHeaders,
  asyncQuery,
  bytesAnswer,
  collisionRule,
  commitTags,
  quotaRule,
  fileTags,
  jobAccepted,
  multipartFiles,
  notFound,
  ok,
  optional,
  pageQuery,
  query,
  sluiceTags,
  str,
  uploadHeaders,
  wsTags,
  type RouteSchema,
} from './schema-kit.js';

const paths = PathList;
const getOrCreateWorkspace: RouteSchema = {
  operationId: 'get_or_create_workspace',
  summary: 'Get or create a workspace on a branch',
  tags: wsTags,
  body: WorkspaceBody,
  response: { 200: ok({ workspace: WorkspaceView }), 400: ErrorBody, 404: notFound },
};
const removedAnswer = ok({ paths }, 'the paths whose removal is staged');
const someNotRemoved = ok(
  { paths, status_description: optional(str) },
  'some paths could not be removed: those are listed, with status `error`',
);
const commitAnswers = {
  200: ok({ commit: CommitView }),
  202: jobAccepted(CommitJobView),
  400: ErrorBody,
  404: notFound,
  409: errorAnswer('Workspace is behind'),
  422: errorAnswer('NoChanges: nothing is staged'),
};

/** Workspaces: their files, staged changes, stage-by-hash and commits. */
export const workspaceSchemas = {
  get_or_create_workspace: getOrCreateWorkspace,
  get_or_create_workspace_post: {
    ...getOrCreateWorkspace,
    operationId: 'get_or_create_workspace_post',
    summary: 'Get or create a workspace (deprecated alias of PUT)',
    deprecated: true,
  },
  list_workspaces: {
    operationId: 'list_workspaces',
    summary: 'Workspaces of a repository',
    tags: wsTags,
    querystring: query({ name: optional(Type.String({ description: 'only the workspace with this name' })) }),
    response: { 200: ok({ workspaces: Type.Array(WorkspaceView) }), 404: notFound },
  },
  get_workspace: {
    operationId: 'get_workspace',
    summary: 'One workspace, by id or name',
    tags: wsTags,
    response: { 200: ok({ workspace: WorkspaceView }), 404: notFound },
  },
  delete_workspace: {
    operationId: 'delete_workspace',
    summary: 'Delete a workspace and its stage',
    tags: wsTags,
    response: { 200: ok({ workspace: WorkspaceView }), 404: notFound },
  },
  validate: {
    operationId: 'validate',
    summary: 'Pre-upload check: the workspace exists',
    tags: wsTags,
    response: { 200: ok(), 404: notFound },
  },

  add: {
    operationId: 'add',
    summary: 'Add files to workspace',
    description:
      'Upload and stage files to a workspace. Accepts a multipart body with gzipped (`Content-Type: ' +
      'application/gzip`) or uncompressed file parts; the filename of each part is its path under {path}, and ' +
      'the server computes each hash (xxh3-128). One invalid path (absolute, `..`, NUL, or past 4096 bytes once ' +
      'normalized: the rule of every route that names a path) fails the whole request and stages nothing. The ' +
      'answer lists the staged paths in request order; a part that fails alone (corrupt gzip, inflate limits) ' +
      'is left out. sluice extensions: `Prefer: respond-async` or `?async=true` answers 202 with a job once the ' +
      'upload is durable; `Idempotency-Key` makes a retry return the same job.' +
      collisionRule +
      quotaRule,
    tags: fileTags,
    wildcard: 'path',
    headers: uploadHeaders,
    querystring: asyncQuery,
    consumes: ['multipart/form-data'],
    streamedBody: multipartFiles,
    response: {
      200: ok(
        {
          paths,
          deduplicated: optional(
            Type.Integer({
              minimum: 0,
              description:
                'sluice: how many of the staged files had content this repository already referenced, or an ' +
                'earlier file of the request had (as the job reports it)',
            }),
          ),
        },
        'File successfully uploaded to workspace',
      ),
      202: jobAccepted(IngestJobView),
      400: errorAnswer('Invalid upload request'),
      404: errorAnswer('Workspace not found'),
      409: errorAnswer('path_conflict: a file would share its path with a directory'),
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
    description:
      'Stages the new path as added and a committed source as removed (a source only staged is moved). A ' +
      'new_path the base commit holds (file or directory) is 400, as upstream; one staged already is 409 ' +
      '`destination_already_staged`.' +
      collisionRule +
      quotaRule,
    body: MoveBody,
    response: { 200: ok(), 400: ErrorBody, 404: notFound, 409: ErrorBody, 413: ErrorBody },
  },
  rm_files: {
    operationId: 'rm_files',
    summary: 'Stage removals of committed files and directories',
    description: `A directory stages a removal of every file under it.${quotaRule}`,
    tags: fileTags,
    body: PathList,
    response: { 200: removedAnswer, 206: someNotRemoved, 404: notFound, 413: ErrorBody },
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
  unstage: {
    operationId: 'unstage',
    summary: 'Unstage one path',
    tags: wsTags,
    wildcard: 'path',
    response: { 200: ok(), 404: notFound },
  },
  unstage_many: {
    operationId: 'unstage_many',
    summary: 'Unstage a list of paths',
    tags: wsTags,
    body: PathList,
    response: { 200: ok(), 404: notFound },
  },
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
    description:
      'The new commit’s parent is the branch head. A staged file changed on the branch since the workspace’s ' +
      'base is a conflict (409). `Prefer: respond-async` (sluice) answers 202 with a commit job.',
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
    response: {
      200: ok({
        is_mergeable: Type.Boolean(),
        conflicts: Type.Array(Type.Object({ path: str })),
        commits: Type.Array(CommitView),
      }),
      404: notFound,
    },
  },

  stage_hashes: {
    operationId: 'stage_hashes',
    summary: 'sluice: stage files by content hash, for content the server already holds',
    description:
      'For clients that hash locally: the files whose content is in the version store are staged (or echoed as ' +
      'unchanged against the base commit) without sending their bytes; `missing` lists the paths to upload as ' +
      'usual. At most 5000 files per request (413 beyond).' +
      collisionRule +
      quotaRule,
    tags: [...fileTags, ...sluiceTags],
    body: StageHashesBody,
    response: { 200: ok({ paths, missing: paths }), 400: ErrorBody, 404: notFound, 409: ErrorBody, 413: ErrorBody },
  },
} satisfies Record<string, RouteSchema>;
