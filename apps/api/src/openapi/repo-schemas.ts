import { Type } from 'typebox';
import {
  BranchRemoteMergeStruct,
  BranchView,
  CommitView,
  TreeChangeView,
  CreateBranchBody,
  CreateRepoBody,
  ErrorBody,
  errorAnswer,
  MetadataEntry,
  pageFields,
  RepositoryCreationView,
  RepositoryListView,
  RepositoryShowView,
  serdeSchema,
  UpdateBranchBody,
} from '@sluice/protocol';
import {
  bytesAnswer,
  commitTags,
  count,
  notFound,
  ok,
  optional,
  pageQuery,
  query,
  repoTags,
  str,
  type RouteSchema,
} from './schema-kit.js';

const dirAnswer = ok({
  dir: Type.Union([MetadataEntry, Type.Null()]),
  entries: Type.Array(MetadataEntry),
  resource: Type.Object({ path: str, version: str }),
  metadata: Type.Null(),
  ...pageFields,
});

/** What a route that needs Oxen's merkle tree answers: 501, before its body is read. */
const notImplemented = errorAnswer(
  "sluice: `not_implemented`, this route needs Oxen's merkle tree, which sluice does not store",
);

/** Repositories, branches, commits and what a revision holds. */
export const repoSchemas = {
  create_repo: {
    operationId: 'create_repo',
    summary: 'Create a repository',
    tags: repoTags,
    body: CreateRepoBody,
    refusals: { namespace: 'invalid_name', name: 'invalid_name' },
    response: {
      200: ok({ repository: RepositoryCreationView }),
      400: ErrorBody,
      409: errorAnswer('Repo already exists.'),
    },
  },
  list_repos: {
    operationId: 'list_repos',
    summary: 'Repositories of a namespace',
    tags: repoTags,
    response: { 200: ok({ repositories: Type.Array(RepositoryListView) }) },
  },
  show_repo: {
    operationId: 'show_repo',
    summary: 'One repository',
    tags: repoTags,
    response: { 200: ok({ repository: RepositoryShowView }), 404: notFound },
  },
  delete_repo: {
    operationId: 'delete_repo',
    summary: 'Delete a repository',
    description:
      'Write access. Removes every key of the repository (branches, commit ids, workspaces and their stages, ' +
      'job results) in bounded batches before answering `resource_deleted`; the name may be created again, ' +
      'afresh. Content is shared by every repository by hash and stays in the store. While a deletion runs (or ' +
      'after one was cut short) creating the name is 409 `repo_being_deleted`; DELETE again finishes a deletion ' +
      'cut short.',
    tags: repoTags,
    response: { 200: ok(), 404: notFound },
  },

  list_branches: {
    operationId: 'list_branches',
    summary: 'Branches',
    tags: commitTags,
    response: { 200: ok({ branches: Type.Array(BranchView) }), 404: notFound },
  },
  create_branch: {
    operationId: 'create_branch',
    summary: 'Create a branch from a branch (`from_name`) or a commit (`commit_id`)',
    description:
      'The body is read as `{new_name, from_name}` first, then as `{new_name, commit_id}`, as upstream does. ' +
      'With `from_name`, a branch that exists already is answered 200 `resource_found`, unchanged (clients use ' +
      'it as get or create). With `commit_id`, a branch that exists at that commit is found, one at another ' +
      'commit is 409 `branch_exists` and is not moved.',
    tags: commitTags,
    body: CreateBranchBody,
    response: { 200: ok({ branch: BranchView }), 400: ErrorBody, 404: notFound, 409: ErrorBody },
  },
  update_branch: {
    operationId: 'update_branch',
    summary: "Move a branch to one of the repository's commits",
    tags: commitTags,
    wildcard: 'branch_name',
    body: UpdateBranchBody,
    response: { 200: ok({ branch: BranchView }), 400: ErrorBody, 404: notFound },
  },
  delete_branch: {
    operationId: 'delete_branch',
    summary: 'Delete a branch',
    description:
      "Answers the branch as it was, `resource_deleted`. `main` (the default branch) and a repository's only " +
      'branch are kept: 409 `branch_protected`, nothing changed. Commits stay; workspaces are based on a ' +
      'commit, not a branch, and keep theirs.',
    tags: commitTags,
    wildcard: 'branch_name',
    response: { 200: ok({ branch: BranchView }), 404: notFound, 409: ErrorBody },
  },
  merge_pushed_commit: {
    operationId: 'merge_pushed_commit',
    summary: 'Merge a pushed commit into a branch (`oxen push`): not implemented',
    description:
      "Upstream merges a commit `oxen push` uploaded as merkle tree nodes. sluice does not store Oxen's merkle " +
      'tree, so it answers 501 `not_implemented` (after 404 for a repository that does not exist), without ' +
      'reading the body. Write through a workspace instead: upload, then commit (`oxen workspace add`, `oxen ' +
      'workspace commit`, `sluice push`).',
    tags: commitTags,
    wildcard: 'branch_name',
    wildcardTail: '/merge',
    streamedBody: serdeSchema(BranchRemoteMergeStruct),
    response: { 404: notFound, 501: notImplemented },
  },
  merkle_tree_read: {
    operationId: 'merkle_tree_read',
    summary: "Oxen's merkle tree nodes (`oxen clone`, `pull`, `fetch`, `push`): not implemented",
    description:
      "Upstream's `GET R/tree/download[/{base_head}]`, `R/tree/nodes/hash/{hash}[/download]`, " +
      "`R/tree/nodes/resource/{path}` serve tree nodes in Oxen's on-disk format. sluice keeps trees of its own, " +
      'so these answer 501 `not_implemented` (after 404 for a repository that does not exist). Read a directory ' +
      'at a revision as one tar through `GET R/archive/{revision}/{path}`, or file by file through `GET R/dir`, ' +
      '`R/meta`, `R/file`, `R/chunk` (`oxen ls`, `oxen download`).',
    tags: commitTags,
    wildcard: 'path',
    response: { 404: notFound, 501: notImplemented },
  },
  merkle_tree_write: {
    operationId: 'merkle_tree_write',
    summary: 'Upload or compare merkle tree nodes (`oxen push`): not implemented',
    description:
      "Upstream's `POST R/tree/nodes` (a tar.gz of nodes), `R/tree/nodes/missing_node_hashes`, " +
      '`R/tree/nodes/missing_file_hashes_from_commits`, `R/tree/nodes/mark_nodes_as_synced`. 501 ' +
      '`not_implemented` (after 404 for a repository that does not exist), without reading the body: write ' +
      'through a workspace.',
    tags: commitTags,
    wildcard: 'path',
    response: { 404: notFound, 501: notImplemented },
  },
  show_branch: {
    operationId: 'show_branch',
    summary: 'One branch',
    tags: commitTags,
    wildcard: 'branch_name',
    response: { 200: ok({ branch: BranchView }), 404: notFound },
  },
  show_commit: {
    operationId: 'show_commit',
    summary: 'One commit',
    tags: commitTags,
    response: { 200: ok({ commit: CommitView }), 404: notFound },
  },
  complete_commit: {
    operationId: 'complete_commit',
    summary: 'Hook the client calls after a commit',
    tags: commitTags,
    response: { 200: ok({ commit: CommitView }), 404: notFound },
  },
  action: {
    operationId: 'action',
    summary: 'Client notification hook (started, completed)',
    tags: commitTags,
    response: { 200: ok({ action: str, state: str }) },
  },
  action_get: {
    operationId: 'action_get',
    summary: 'Client notification hook (started, completed)',
    tags: commitTags,
    response: { 200: ok({ action: str, state: str }) },
  },
  get_file: {
    operationId: 'get_file',
    summary: 'Committed content at a revision (a branch name or a commit id, then the path)',
    tags: commitTags,
    wildcard: 'revision_and_path',
    response: { 200: bytesAnswer('the file content, with oxen-revision-id'), 404: notFound },
  },
  get_meta: {
    operationId: 'get_meta',
    summary: 'One file or directory at a revision, as `oxen download` asks for it before the content',
    description:
      'Answers `entry` exactly as `dir` lists it (the client reads it as a strict `MetadataEntry`: an entry ' +
      'with any other field is taken for a workspace entry and refused). The client then fetches a file up to ' +
      '10 MiB by `file/…`, a larger one by `chunk/…`, and checks it against `hash`.',
    tags: commitTags,
    wildcard: 'revision_and_path',
    response: { 200: ok({ entry: MetadataEntry }), 404: notFound },
  },
  get_chunk: {
    operationId: 'get_chunk',
    summary: 'A byte range of a committed file (`oxen download` of a file over 10 MiB), raw bytes',
    description:
      "`chunk_start` (default 0) and `chunk_size` (default 10 MiB, upstream's segment) in bytes; a range past " +
      'the end of the file is cut short there.',
    tags: commitTags,
    wildcard: 'revision_and_path',
    querystring: query({
      chunk_start: optional(count),
      chunk_size: optional(Type.Integer({ minimum: 1, maximum: 256 * 1024 * 1024 })),
    }),
    response: { 200: bytesAnswer('the bytes of the range'), 400: ErrorBody, 404: notFound },
  },
  get_archive: {
    operationId: 'get_archive',
    summary: 'Every file under a directory at a revision, as one streamed tar (plain, or gzipped with `gzip=true`)',
    description:
      'The wildcard is the revision (a branch name, which may hold slashes, or a commit id) then the path, ' +
      'as for `file` and `dir`; an empty path is the whole tree. The answer is a POSIX tar (`application/x-tar`, or ' +
      '`application/gzip` with `gzip=true`), streamed as it is read: one regular-file entry per file under the path, ' +
      "named relative to it (a path naming a file gives one entry, its base name), mode 0644, mtime the commit's " +
      'timestamp, and a pax extended header record `SLUICE.hash=<hash>` (the Oxen hash, xxh3-128 hex) on every ' +
      "entry. Order: depth first, each directory's children sorted by name in byte (UTF-8) order, so a file's " +
      'path compares segment by segment. `after=<relative path>` resumes a cut download: only the entries that ' +
      'come after that path in this order (it need not exist). An error midway cuts the stream (no end-of-archive ' +
      'blocks), never a short file. 404 for an unknown revision or path, before anything is sent.',
    tags: commitTags,
    wildcard: 'revision_and_path',
    querystring: query({
      gzip: optional(Type.Boolean({ description: '`true`: the tar gzipped' })),
      after: optional(
        Type.String({ maxLength: 8192, description: 'a path relative to the requested directory: resume after it' }),
      ),
    }),
    response: {
      200: {
        description: 'the tar stream, with oxen-revision-id',
        content: {
          'application/x-tar': { schema: { type: 'string', format: 'binary' } },
          'application/gzip': { schema: { type: 'string', format: 'binary' } },
        },
      } as unknown as ReturnType<typeof bytesAnswer>,
      400: ErrorBody,
      404: notFound,
    },
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
  compare_trees: {
    operationId: 'compare_trees',
    summary: 'sluice: the files that differ between two revisions (added, modified, removed), a page at a time',
    description:
      '`base` and `head` are each a branch name or a commit id; `path` (default the root) narrows the ' +
      "comparison to a directory or a file. Entries come in tree order (a directory's children as stored, a " +
      "directory's files after the file of the same name), files only: an added directory is listed as the " +
      'files it holds. Subtrees with the same hash are not opened, so a page costs what its changes cost. ' +
      '`next_after` is null on the last page; otherwise pass it back as `after` (a path relative to `path`) for ' +
      'the next page. `page_size` is 100 by default, at most 10,000.',
    tags: commitTags,
    querystring: query({
      base: Type.String({ minLength: 1 }),
      head: Type.String({ minLength: 1 }),
      path: optional(str),
      after: optional(str),
      page_size: optional(Type.Integer({ minimum: 1, maximum: 10_000 })),
    }),
    response: {
      200: ok({
        base_commit: CommitView,
        head_commit: CommitView,
        entries: Type.Array(TreeChangeView),
        next_after: Type.Union([str, Type.Null()]),
      }),
      400: ErrorBody,
      404: notFound,
    },
  },
  get_revision: {
    operationId: 'get_revision',
    summary: 'A revision resolved to its commit, and its branch when it names one',
    tags: commitTags,
    wildcard: 'revision',
    response: {
      200: ok({
        resource: Type.Object({
          workspace: Type.Null(),
          commit: CommitView,
          branch: Type.Union([BranchView, Type.Null()]),
          path: str,
          version: str,
          resource: str,
        }),
      }),
      404: notFound,
    },
  },
} satisfies Record<string, RouteSchema>;
