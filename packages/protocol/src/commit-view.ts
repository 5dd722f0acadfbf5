import { Type, type Static } from 'typebox';

/** A commit as Oxen clients parse it (the server's tree root stays internal). */
export const CommitView = Type.Object({
  id: Type.String(),
  message: Type.String(),
  author: Type.String(),
  email: Type.String(),
  parent_ids: Type.Array(Type.String()),
  timestamp: Type.String({ format: 'date-time' }),
});
export type CommitView = Static<typeof CommitView>;

/** A workspace: its id, its name if it has one, and the commit it is based on. */
export const WorkspaceView = Type.Object({
  id: Type.String(),
  name: Type.Union([Type.String(), Type.Null()]),
  commit: CommitView,
  created_at: Type.String({ format: 'date-time', description: 'RFC 3339, as upstream writes it' }),
});
export type WorkspaceView = Static<typeof WorkspaceView>;

export const BranchView = Type.Object({ name: Type.String(), commit_id: Type.String() });
export type BranchView = Static<typeof BranchView>;

/**
 * Upstream's `StorageKind`, lowercase. sluice answers `local`: the client reads and writes versions through the server.
 */
export const StorageKind = Type.Enum(['local', 's3']);
/**
 * Upstream's `MerkleNodeBackend`, lowercase. sluice keeps trees of its own in neither, so it never
 * sends the field (upstream leaves it out when it has none, and the client reads its absence).
 */
export const MerkleNodeBackend = Type.Enum(['filesystem', 'lmdb']);

/** What every view of a repository holds. */
const repositoryFields = {
  namespace: Type.String(),
  name: Type.String(),
  min_version: Type.String(),
  storage_kind: StorageKind,
  merkle_node_backend: Type.Optional(MerkleNodeBackend),
  repo_uuid: Type.String({ format: 'uuid' }),
};

/** A repository in the namespace's list (upstream's `RepositoryListView`, and the fields above). */
export const RepositoryListView = Type.Object(repositoryFields, { additionalProperties: false });
export type RepositoryListView = Static<typeof RepositoryListView>;

/** A repository just created (upstream's `RepositoryCreationView`): with its initial commit, or null. */
export const RepositoryCreationView = Type.Object(
  {
    ...repositoryFields,
    latest_commit: Type.Union([CommitView, Type.Null()]),
  },
  { additionalProperties: false },
);
export type RepositoryCreationView = Static<typeof RepositoryCreationView>;

/** Upstream's `DataTypeCount`: files of one data type. */
export const DataTypeCount = Type.Object({ data_type: Type.String(), count: Type.Integer({ minimum: 0 }) });

/** One repository shown (upstream's `RepositoryDataTypesView`, whose flattened `RepositoryView` the client reads). */
export const RepositoryShowView = Type.Object(
  {
    ...repositoryFields,
    is_empty: Type.Boolean(),
    size: Type.Integer({ minimum: 0 }),
    data_types: Type.Array(DataTypeCount),
    branch_count: Type.Integer({ minimum: 0 }),
    latest_commit: Type.Union([CommitView, Type.Null()], {
      description: 'sluice: the head of main (or of the first branch)',
    }),
  },
  { additionalProperties: false },
);
export type RepositoryShowView = Static<typeof RepositoryShowView>;
