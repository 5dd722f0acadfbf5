import { Type } from 'typebox';
import type { SerdeStruct } from './serde-struct.js';

/**
 * The JSON bodies the stock client (Oxen 0.54) sends, as upstream's own types read them: each
 * struct written down field by field from the Rust source (crates/liboxen/src/view/,
 * crates/liboxen/src/api/requests/, crates/liboxen/src/model/), in our words. None of these
 * structs denies unknown fields (in 0.54 only the answer type `MetadataEntry` does). The route
 * schemas in request-bodies.ts are built from them, and test/conformance/serde-bodies.test.ts
 * replays every optional field null and absent, and an unknown field added, against sluice.
 */

/**
 * Every string as serde reads it, "" included: where a handler cannot use an empty value it
 * refuses it itself, 400 with a code of its own (said at each field), not the schema.
 */
const text = Type.String();
const unsigned = Type.Integer({ minimum: 0 });

/** `User`, model/user.rs. */
export const UserStruct = {
  name: 'User',
  source: 'crates/liboxen/src/model/user.rs',
  denyUnknown: false,
  fields: { email: { type: text }, name: { type: text } },
} as const satisfies SerdeStruct;

/**
 * `FileNew`, model/file.rs: `contents` is read by hand from a string (or bytes, which JSON has
 * not). Upstream requires `user`; sluice lets it be absent, as its own client and scripts send
 * it: it only names the initial commit's author (`Oxen <oxen@oxen.ai>` without it).
 */
export const FileNewStruct = {
  name: 'FileNew',
  source: 'crates/liboxen/src/model/file.rs',
  denyUnknown: false,
  fields: { path: { type: text }, contents: { type: text }, user: { struct: UserStruct, sluiceMayOmit: true } },
} as const satisfies SerdeStruct;

/**
 * `RepoNew`, api/requests/repo_new.rs. `root_commit` is upstream's whole `Commit`; sluice does
 * not take one (it makes its own initial commit), so only its being an object is checked.
 */
export const RepoNewStruct = {
  name: 'RepoNew',
  source: 'crates/liboxen/src/api/requests/repo_new.rs',
  denyUnknown: false,
  fields: {
    // "" breaks the naming rule: 400 invalid_name from the handler
    namespace: { type: text },
    name: { type: text },
    is_public: { type: Type.Boolean(), option: true },
    host: { type: text, option: true },
    scheme: { type: text, option: true },
    root_commit: { type: Type.Object({}), option: true },
    description: { type: text, option: true },
    files: { struct: FileNewStruct, list: true, option: true },
    // upstream's enums (lowercase); sluice stores its own way whatever they ask
    storage_kind: { type: Type.Enum(['local', 's3']), option: true, default: true },
    merkle_node_backend: { type: Type.Enum(['filesystem', 'lmdb']), option: true, default: true },
    repo_uuid: { type: Type.String({ format: 'uuid' }), option: true, default: true },
  },
} as const satisfies SerdeStruct;

/** `NewWorkspace`, view/workspaces.rs. */
export const NewWorkspaceStruct = {
  name: 'NewWorkspace',
  source: 'crates/liboxen/src/view/workspaces.rs',
  denyUnknown: false,
  fields: {
    // "" is no id: 400 invalid_name from the handler
    workspace_id: { type: text },
    // "": the branch "" is not found, 400 branch_required as upstream (invalid_name on an empty repository)
    branch_name: { type: text },
    resource_path: { type: text, option: true },
    entity_type: { type: text, option: true },
    // "" is no name: 400 invalid_name from the handler (upstream would name a workspace "")
    name: { type: text, option: true },
    force: { type: Type.Boolean(), option: true },
  },
} as const satisfies SerdeStruct;

/** `NewCommitBody`, model/commit.rs. */
export const NewCommitBodyStruct = {
  name: 'NewCommitBody',
  source: 'crates/liboxen/src/model/commit.rs',
  denyUnknown: false,
  fields: { message: { type: text }, author: { type: text }, email: { type: text } },
} as const satisfies SerdeStruct;

/** `RenameRequest`, view/workspaces.rs: upstream refuses an empty `new_path` by hand, sluice too (400 invalid_path). */
export const RenameRequestStruct = {
  name: 'RenameRequest',
  source: 'crates/liboxen/src/view/workspaces.rs',
  denyUnknown: false,
  fields: { new_path: { type: text } },
} as const satisfies SerdeStruct;

/**
 * `BranchNewFromBranchName`, view/branch.rs: tried first. A `new_name` of "" breaks the branch
 * rule (400 invalid_name from the handler); a `from_name` of "" names no branch (404).
 */
export const BranchNewFromBranchNameStruct = {
  name: 'BranchNewFromBranchName',
  source: 'crates/liboxen/src/view/branch.rs',
  denyUnknown: false,
  fields: { new_name: { type: text }, from_name: { type: text } },
} as const satisfies SerdeStruct;

/** `BranchNewFromCommitId`, view/branch.rs: tried when the body is not the one above. */
export const BranchNewFromCommitIdStruct = {
  name: 'BranchNewFromCommitId',
  source: 'crates/liboxen/src/view/branch.rs',
  denyUnknown: false,
  fields: { new_name: { type: text }, commit_id: { type: text } },
} as const satisfies SerdeStruct;

/** `BranchUpdate`, view/branch.rs: a `commit_id` of "" names no commit, 404 as upstream. */
export const BranchUpdateStruct = {
  name: 'BranchUpdate',
  source: 'crates/liboxen/src/view/branch.rs',
  denyUnknown: false,
  fields: { commit_id: { type: text } },
} as const satisfies SerdeStruct;

/**
 * `BranchRemoteMerge`, view/branch.rs: what `oxen push` sends to merge its pushed head. sluice
 * takes no pushed commits (it does not store Oxen's merkle tree), so it answers 501 unread.
 */
export const BranchRemoteMergeStruct = {
  name: 'BranchRemoteMerge',
  source: 'crates/liboxen/src/view/branch.rs',
  denyUnknown: false,
  fields: { client_commit_id: { type: text }, server_commit_id: { type: text } },
} as const satisfies SerdeStruct;

/** `CompletedFileUpload`, view/versions.rs: the 0.54 client writes `upload_results: null`. */
export const CompletedFileUploadStruct = {
  name: 'CompletedFileUpload',
  source: 'crates/liboxen/src/view/versions.rs',
  denyUnknown: false,
  fields: {
    hash: { type: text },
    file_name: { type: text },
    dst_dir: { type: text, option: true },
    num_chunks: { type: unsigned, option: true, default: true },
    upload_results: { type: Type.Array(Type.Record(Type.String(), Type.String())), option: true, default: true },
  },
} as const satisfies SerdeStruct;

/** `CompleteVersionUploadRequest`, view/versions.rs. */
export const CompleteVersionUploadRequestStruct = {
  name: 'CompleteVersionUploadRequest',
  source: 'crates/liboxen/src/view/versions.rs',
  denyUnknown: false,
  fields: { files: { struct: CompletedFileUploadStruct, list: true }, workspace_id: { type: text, option: true } },
} as const satisfies SerdeStruct;

/** `CreateVersionUploadRequest`, view/versions.rs: the client sends it, upstream's handler ignores it. */
export const CreateVersionUploadRequestStruct = {
  name: 'CreateVersionUploadRequest',
  source: 'crates/liboxen/src/view/versions.rs',
  denyUnknown: false,
  fields: {
    hash: { type: text },
    file_name: { type: text },
    size: { type: unsigned },
    dst_dir: { type: text, option: true },
  },
} as const satisfies SerdeStruct;

/** `ValidateUploadFeasibilityRequest`, view/workspaces.rs: sent, and ignored by upstream's handler. */
export const ValidateUploadStruct = {
  name: 'ValidateUploadFeasibilityRequest',
  source: 'crates/liboxen/src/view/workspaces.rs',
  denyUnknown: false,
  fields: { size: { type: unsigned } },
} as const satisfies SerdeStruct;

/** How upstream's handler reads a route's body. */
export type UpstreamBody =
  | { readonly read: 'struct'; readonly structs: readonly SerdeStruct[] }
  | { readonly read: 'paths' }
  | { readonly read: 'ignored'; readonly sent?: SerdeStruct };

/** A route the stock client sends a JSON body to, and how both ends treat the body. */
export interface UpstreamRequest {
  /** sluice's operation ids of the route and its aliases. */
  readonly operations: readonly string[];
  readonly call: string;
  /** Whether the 0.54 client sends the body with `Content-Type: application/json` or without one. */
  readonly contentType: 'application/json' | 'none';
  readonly body: UpstreamBody;
}

/** Every JSON body of the stock client, by route (R = /api/repos/{ns}/{repo}, W = R/workspaces/{id}). */
export const upstreamRequests: readonly UpstreamRequest[] = [
  {
    operations: ['create_repo'],
    call: 'POST /api/repos',
    contentType: 'application/json',
    body: { read: 'struct', structs: [RepoNewStruct] },
  },
  {
    operations: ['get_or_create_workspace', 'get_or_create_workspace_post'],
    call: 'PUT R/workspaces',
    contentType: 'application/json',
    body: { read: 'struct', structs: [NewWorkspaceStruct] },
  },
  {
    operations: ['validate'],
    call: 'POST W/validate',
    contentType: 'application/json',
    body: { read: 'ignored', sent: ValidateUploadStruct },
  },
  {
    operations: ['create_chunked_upload'],
    call: 'POST R/versions/{hash}/create',
    contentType: 'application/json',
    body: { read: 'ignored', sent: CreateVersionUploadRequestStruct },
  },
  {
    operations: ['complete_chunked_upload'],
    call: 'POST R/versions/{hash}/complete',
    contentType: 'none',
    body: { read: 'struct', structs: [CompleteVersionUploadRequestStruct] },
  },
  {
    operations: ['mv'],
    call: 'PATCH W/files/{path}',
    contentType: 'none',
    body: { read: 'struct', structs: [RenameRequestStruct] },
  },
  {
    operations: ['rm_files', 'rm_files_versions', 'unstage_many', 'unstage_many_staged'],
    call: 'DELETE W/files, W/staged, W/changes',
    contentType: 'application/json',
    body: { read: 'paths' },
  },
  {
    operations: ['commit', 'commit_deprecated'],
    call: 'POST W/merge/{branch}, W/commit/{branch}',
    contentType: 'application/json',
    body: { read: 'struct', structs: [NewCommitBodyStruct] },
  },
  {
    operations: ['create_branch'],
    call: 'POST R/branches',
    contentType: 'none',
    body: { read: 'struct', structs: [BranchNewFromBranchNameStruct, BranchNewFromCommitIdStruct] },
  },
  {
    operations: ['update_branch'],
    call: 'PUT R/branches/{name}',
    contentType: 'none',
    body: { read: 'struct', structs: [BranchUpdateStruct] },
  },
  {
    operations: ['merge_pushed_commit'],
    call: 'PUT R/branches/{name}/merge',
    contentType: 'none',
    body: { read: 'ignored', sent: BranchRemoteMergeStruct },
  },
  {
    operations: ['complete_commit'],
    call: 'POST R/commits/{id}/complete',
    contentType: 'none',
    body: { read: 'ignored' },
  },
];
