import { Type, type Static } from 'typebox';

/**
 * The JSON bodies sluice reads, as Fastify validates them before a handler runs. Fields Oxen
 * clients send beyond these are accepted and ignored, as upstream does.
 */

export const CreateRepoBody = Type.Object({
  namespace: Type.String({ minLength: 1 }),
  name: Type.String({ minLength: 1 }),
  files: Type.Optional(Type.Union([Type.Array(Type.Object({ path: Type.String(), contents: Type.String() })), Type.Null()])),
});
export type CreateRepoBody = Static<typeof CreateRepoBody>;

export const WorkspaceBody = Type.Object({
  workspace_id: Type.String({ minLength: 1 }),
  branch_name: Type.String({ minLength: 1 }),
  name: Type.Optional(Type.Union([Type.String(), Type.Null()])),
});
export type WorkspaceBody = Static<typeof WorkspaceBody>;

export const CommitBody = Type.Object({ message: Type.String(), author: Type.String(), email: Type.String() });
export type CommitBody = Static<typeof CommitBody>;

/** A new branch: from another branch's head, or at a commit (one of the two). */
export const CreateBranchBody = Type.Object({ new_name: Type.String({ minLength: 1 }), from_name: Type.Optional(Type.String()), commit_id: Type.Optional(Type.String()) });
export type CreateBranchBody = Static<typeof CreateBranchBody>;

export const UpdateBranchBody = Type.Object({ commit_id: Type.String({ minLength: 1 }) });
export type UpdateBranchBody = Static<typeof UpdateBranchBody>;

export const MoveBody = Type.Object({ new_path: Type.String({ minLength: 1 }) });
export type MoveBody = Static<typeof MoveBody>;

/** sluice's stage-by-hash: at most 5000 files a request. */
export const StageHashesBody = Type.Object({
  files: Type.Array(Type.Object({ path: Type.String(), hash: Type.String() }), { description: 'at most 5000 a request (413 beyond)' }),
});
export type StageHashesBody = Static<typeof StageHashesBody>;

export const BeginUploadBody = Type.Object({
  hash: Type.String({ minLength: 1 }),
  size: Type.Integer({ minimum: 1 }),
  destination: Type.Optional(Type.Union([Type.Object({ path: Type.String(), workspace_id: Type.String() }), Type.Null()])),
});
export type BeginUploadBody = Static<typeof BeginUploadBody>;

export const CompleteChunkedBody = Type.Object({
  workspace_id: Type.Optional(Type.Union([Type.String(), Type.Null()])),
  files: Type.Optional(Type.Array(Type.Object({
    hash: Type.String(),
    file_name: Type.Optional(Type.Union([Type.String(), Type.Null()])),
    dst_dir: Type.Optional(Type.Union([Type.String(), Type.Null()])),
    num_chunks: Type.Optional(Type.Union([Type.Integer({ minimum: 0 }), Type.Null()])),
    /**
     * Older clients count the chunks by the results of their uploads instead; the 0.54 client
     * writes `null` here (serde's `None`) beside `num_chunks`.
     */
    upload_results: Type.Optional(Type.Union([Type.Array(Type.Unknown()), Type.Null()])),
  }))),
});
export type CompleteChunkedBody = Static<typeof CompleteChunkedBody>;
