import { BranchRemoteMergeStruct, errorAnswer, serdeSchema } from '@sluice/protocol';
import { commitTags, notFound, type RouteSchema, params, repoParams, tailParam } from '../openapi/schema-kit.js';

/** What a route that needs Oxen's merkle tree answers: 501, before its body is read. */
const notImplemented = errorAnswer(
  "sluice: `not_implemented`, this route needs Oxen's merkle tree, which sluice does not store",
);

export const mergePushedCommit = {
  operationId: 'merge_pushed_commit',
  summary: 'Merge a pushed commit into a branch (`oxen push`): not implemented',
  description:
    "Upstream merges a commit `oxen push` uploaded as merkle tree nodes. sluice does not store Oxen's merkle " +
    'tree, so it answers 501 `not_implemented` (after 404 for a repository that does not exist), without ' +
    'reading the body. Write through a workspace instead: upload, then commit (`oxen workspace add`, `oxen ' +
    'workspace commit`, `sluice push`).',
  tags: commitTags,
  params: params({ ...repoParams, ...tailParam }),
  wildcard: 'branch_name',
  wildcardTail: '/merge',
  streamedBody: serdeSchema(BranchRemoteMergeStruct),
  response: { 404: notFound, 501: notImplemented },
} satisfies RouteSchema;

export const merkleTreeRead = {
  operationId: 'merkle_tree_read',
  summary: "Oxen's merkle tree nodes (`oxen clone`, `pull`, `fetch`, `push`): not implemented",
  description:
    "Upstream's `GET R/tree/download[/{base_head}]`, `R/tree/nodes/hash/{hash}[/download]`, " +
    "`R/tree/nodes/resource/{path}` serve tree nodes in Oxen's on-disk format. sluice keeps trees of its own, " +
    'so these answer 501 `not_implemented` (after 404 for a repository that does not exist). Read a directory ' +
    'at a revision as one tar through `GET R/archive/{revision}/{path}`, or file by file through `GET R/dir`, ' +
    '`R/meta`, `R/file`, `R/chunk` (`oxen ls`, `oxen download`).',
  tags: commitTags,
  params: params({ ...repoParams, ...tailParam }),
  wildcard: 'path',
  response: { 404: notFound, 501: notImplemented },
} satisfies RouteSchema;

export const merkleTreeWrite = {
  operationId: 'merkle_tree_write',
  summary: 'Upload or compare merkle tree nodes (`oxen push`): not implemented',
  description:
    "Upstream's `POST R/tree/nodes` (a tar.gz of nodes), `R/tree/nodes/missing_node_hashes`, " +
    '`R/tree/nodes/missing_file_hashes_from_commits`, `R/tree/nodes/mark_nodes_as_synced`. 501 ' +
    '`not_implemented` (after 404 for a repository that does not exist), without reading the body: write ' +
    'through a workspace.',
  tags: commitTags,
  params: params({ ...repoParams, ...tailParam }),
  wildcard: 'path',
  response: { 404: notFound, 501: notImplemented },
} satisfies RouteSchema;
