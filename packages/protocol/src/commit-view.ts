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
  created_at: Type.String(),
});
export type WorkspaceView = Static<typeof WorkspaceView>;

export const BranchView = Type.Object({ name: Type.String(), commit_id: Type.String() });
export type BranchView = Static<typeof BranchView>;

export const RepositoryView = Type.Object({
  namespace: Type.String(),
  name: Type.String(),
  min_version: Type.String(),
  storage_kind: Type.String(),
  repo_uuid: Type.String(),
  latest_commit: Type.Optional(Type.Union([CommitView, Type.Null()])),
  // what showing one repository adds
  is_empty: Type.Optional(Type.Boolean()),
  size: Type.Optional(Type.Integer({ minimum: 0 })),
  data_types: Type.Optional(Type.Array(Type.String())),
  branch_count: Type.Optional(Type.Integer({ minimum: 0 })),
}, { additionalProperties: false });
export type RepositoryView = Static<typeof RepositoryView>;
