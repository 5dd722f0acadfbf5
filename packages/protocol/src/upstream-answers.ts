import { Type } from 'typebox';
import type { SerdeStruct } from './serde-struct.js';

/**
 * The answers the stock client (Oxen 0.54) reads into its own types, written down from the Rust
 * source like upstream-requests.ts. Every answer flattens `StatusMessage` into it. A field the
 * client's type requires must be in sluice's answer schema, required and of its JSON type; a
 * type that denies unknown fields (only `MetadataEntry`) allows nothing else.
 * test/conformance/answer-types.test.ts holds the route schemas to this, and the suite's
 * SLUICE_CHECK_ANSWERS holds every answer on the wire to the route schemas.
 */

const text = Type.String();
const unsigned = Type.Integer({ minimum: 0 });
/** `time::serde::rfc3339`: the client refuses any other text. */
const rfc3339 = Type.String({ format: 'date-time' });
/** Upstream's enums as serde writes them (`rename_all = "lowercase"`): the client refuses any other value. */
const storageKind = Type.Enum(['local', 's3']);
const merkleNodeBackend = Type.Enum(['filesystem', 'lmdb']);
const entryDataType = Type.Enum(['dir', 'text', 'image', 'video', 'audio', 'tabular', 'binary']);

/** `StatusMessage`, view/status_message.rs, flattened into every answer. */
const statusFields = {
  status: { type: text },
  status_message: { type: text },
  oxen_version: { type: text, option: true },
} as const;

/** `Commit`, model/commit.rs (the timestamp RFC 3339 text). */
export const CommitAnswer = {
  name: 'Commit',
  source: 'crates/liboxen/src/model/commit.rs',
  denyUnknown: false,
  fields: {
    id: { type: text },
    parent_ids: { type: Type.Array(text) },
    message: { type: text },
    author: { type: text },
    email: { type: text },
    timestamp: { type: rfc3339 },
  },
} as const satisfies SerdeStruct;

/** `Branch`, model/branch.rs. */
export const BranchAnswer = {
  name: 'Branch',
  source: 'crates/liboxen/src/model/branch.rs',
  denyUnknown: false,
  fields: { name: { type: text }, commit_id: { type: text } },
} as const satisfies SerdeStruct;

/** `WorkspaceResponse`, view/workspaces.rs. */
export const WorkspaceAnswer = {
  name: 'WorkspaceResponse',
  source: 'crates/liboxen/src/view/workspaces.rs',
  denyUnknown: false,
  fields: {
    id: { type: text },
    name: { type: text, option: true },
    commit: { struct: CommitAnswer },
    created_at: { type: rfc3339, option: true, default: true },
  },
} as const satisfies SerdeStruct;

/** `MetadataEntry`, model/entry/metadata_entry.rs: unknown fields refused (they mark a workspace entry). */
export const MetadataEntryAnswer = {
  name: 'MetadataEntry',
  source: 'crates/liboxen/src/model/entry/metadata_entry.rs',
  denyUnknown: true,
  fields: {
    filename: { type: text },
    hash: { type: text },
    is_dir: { type: Type.Boolean() },
    latest_commit: { struct: CommitAnswer, option: true },
    resource: { type: Type.Object({}), option: true },
    size: { type: unsigned },
    data_type: { type: entryDataType },
    mime_type: { type: text },
    extension: { type: text },
    metadata: { type: Type.Object({}), option: true },
    is_queryable: { type: Type.Boolean(), option: true },
    children: { type: Type.Array(Type.Object({})), option: true },
  },
} as const satisfies SerdeStruct;

/** `RepositoryView`, view/repository.rs: what the client reads of a repository shown (the rest is ignored). */
export const RepositoryAnswer = {
  name: 'RepositoryView',
  source: 'crates/liboxen/src/view/repository.rs',
  denyUnknown: false,
  fields: {
    namespace: { type: text },
    name: { type: text },
    min_version: { type: text, option: true },
    is_empty: { type: Type.Boolean() },
    storage_kind: { type: storageKind },
    merkle_node_backend: { type: merkleNodeBackend, option: true, default: true },
    repo_uuid: { type: Type.String({ format: 'uuid' }), option: true, default: true },
  },
} as const satisfies SerdeStruct;

/** `RepositoryCreationView`, view/repository.rs. */
export const RepositoryCreationAnswer = {
  name: 'RepositoryCreationView',
  source: 'crates/liboxen/src/view/repository.rs',
  denyUnknown: false,
  fields: {
    namespace: { type: text },
    name: { type: text },
    latest_commit: { struct: CommitAnswer, option: true },
    min_version: { type: text, option: true },
    storage_kind: { type: storageKind },
    merkle_node_backend: { type: merkleNodeBackend, option: true, default: true },
    repo_uuid: { type: Type.String({ format: 'uuid' }), option: true, default: true },
  },
} as const satisfies SerdeStruct;

/** `VersionFile`, view/versions.rs. */
export const VersionFileAnswer = {
  name: 'VersionFile',
  source: 'crates/liboxen/src/view/versions.rs',
  denyUnknown: false,
  fields: { hash: { type: text }, size: { type: unsigned } },
} as const satisfies SerdeStruct;

/** `ErrorFileInfo`, view/file_metadata.rs. */
export const ErrorFileAnswer = {
  name: 'ErrorFileInfo',
  source: 'crates/liboxen/src/view/file_metadata.rs',
  denyUnknown: false,
  fields: { hash: { type: text }, path: { type: text, option: true }, error: { type: text } },
} as const satisfies SerdeStruct;

const answer = (name: string, source: string, fields: SerdeStruct['fields']): SerdeStruct => ({
  name,
  source,
  denyUnknown: false,
  fields: { ...statusFields, ...fields },
});

const commitResponse = answer('CommitResponse', 'crates/liboxen/src/view/commit.rs', {
  commit: { struct: CommitAnswer },
});
const branchResponse = answer('BranchResponse', 'crates/liboxen/src/view/branch.rs', {
  branch: { struct: BranchAnswer },
});
const workspaceResponse = answer('WorkspaceResponseView', 'crates/liboxen/src/view/workspaces.rs', {
  workspace: { struct: WorkspaceAnswer },
});
/** `StatusMessage` alone: what the client reads of a deletion. */
const statusMessage = answer('StatusMessage', 'crates/liboxen/src/view/status_message.rs', {});

/** The success answer (200) of each route the client reads a JSON answer of, by sluice's operation id. */
export const upstreamAnswers: Readonly<Record<string, SerdeStruct>> = {
  show_commit: commitResponse,
  complete_commit: commitResponse,
  commit: commitResponse,
  commit_deprecated: commitResponse,
  create_branch: branchResponse,
  show_branch: branchResponse,
  update_branch: branchResponse,
  list_branches: answer('ListBranchesResponse', 'crates/liboxen/src/view/branch.rs', {
    branches: { struct: BranchAnswer, list: true },
  }),
  get_or_create_workspace: workspaceResponse,
  get_or_create_workspace_post: workspaceResponse,
  get_workspace: workspaceResponse,
  delete_workspace: workspaceResponse,
  list_workspaces: answer('ListWorkspaceResponseView', 'crates/liboxen/src/view/workspaces.rs', {
    workspaces: { struct: WorkspaceAnswer, list: true },
  }),
  show_repo: answer('RepositoryResponse', 'crates/liboxen/src/view/repository.rs', {
    repository: { struct: RepositoryAnswer },
  }),
  create_repo: answer('RepositoryCreationResponse', 'crates/liboxen/src/view/repository.rs', {
    repository: { struct: RepositoryCreationAnswer },
  }),
  delete_repo: statusMessage,
  delete_branch: statusMessage,
  add: answer('FilePathsResponse', 'crates/liboxen/src/view/file_metadata.rs', { paths: { type: Type.Array(text) } }),
  batch_upload: answer('ErrorFilesResponse', 'crates/liboxen/src/view/file_metadata.rs', {
    err_files: { struct: ErrorFileAnswer, list: true, default: true },
  }),
  get_meta: answer('EMetadataEntryResponseView', 'crates/liboxen/src/view/entry_metadata.rs', {
    entry: { struct: MetadataEntryAnswer },
  }),
  version_metadata: answer('VersionFileResponse', 'crates/liboxen/src/view/versions.rs', {
    version: { struct: VersionFileAnswer },
  }),
  list_dir: answer('PaginatedDirEntriesResponse', 'crates/liboxen/src/view/entries.rs', {
    dir: { struct: MetadataEntryAnswer, option: true },
    entries: { struct: MetadataEntryAnswer, list: true },
    page_size: { type: unsigned },
    page_number: { type: unsigned },
    total_pages: { type: unsigned },
    total_entries: { type: unsigned },
  }),
};
