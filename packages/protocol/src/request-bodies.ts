import { Type, type Static } from 'typebox';
import { firstOfSchema, serdeSchema, type SerdeStatic } from './serde-struct.js';
import {
  BranchNewFromBranchNameStruct,
  BranchNewFromCommitIdStruct,
  BranchUpdateStruct,
  CompleteVersionUploadRequestStruct,
  NewCommitBodyStruct,
  NewWorkspaceStruct,
  RenameRequestStruct,
  RepoNewStruct,
} from './upstream-requests.js';

/**
 * The JSON bodies sluice reads, as Fastify validates them before a handler runs. Those the stock
 * client sends are built from upstream's types (upstream-requests.ts) by serde's rules: null
 * where upstream has an Option, absent where it has an Option or a default, unknown fields
 * ignored. sluice's own bodies (stage-by-hash, the resumable upload) follow the same rules.
 */

export const CreateRepoBody = serdeSchema(RepoNewStruct);
export type CreateRepoBody = SerdeStatic<typeof RepoNewStruct>;

export const WorkspaceBody = serdeSchema(NewWorkspaceStruct);
export type WorkspaceBody = SerdeStatic<typeof NewWorkspaceStruct>;

export const CommitBody = serdeSchema(NewCommitBodyStruct);
export type CommitBody = SerdeStatic<typeof NewCommitBodyStruct>;

/** A new branch: from another branch's head, or at a commit; the handler picks as upstream does. */
export const CreateBranchBody = firstOfSchema([BranchNewFromBranchNameStruct, BranchNewFromCommitIdStruct]);
export type CreateBranchBody = { new_name: string; from_name?: unknown; commit_id?: unknown };

export const UpdateBranchBody = serdeSchema(BranchUpdateStruct);
export type UpdateBranchBody = SerdeStatic<typeof BranchUpdateStruct>;

export const MoveBody = serdeSchema(RenameRequestStruct);
export type MoveBody = SerdeStatic<typeof RenameRequestStruct>;

/** sluice's stage-by-hash: at most 5000 files a request. */
export const StageHashesBody = Type.Object({
  files: Type.Array(Type.Object({ path: Type.String(), hash: Type.String() }), {
    description: 'at most 5000 a request (413 beyond)',
  }),
});
export type StageHashesBody = Static<typeof StageHashesBody>;

export const BeginUploadBody = Type.Object({
  hash: Type.String({ minLength: 1 }),
  size: Type.Integer({ minimum: 1 }),
  destination: Type.Optional(
    Type.Union([Type.Object({ path: Type.String(), workspace_id: Type.String() }), Type.Null()]),
  ),
});
export type BeginUploadBody = Static<typeof BeginUploadBody>;

export const CompleteChunkedBody = serdeSchema(CompleteVersionUploadRequestStruct);
export type CompleteChunkedBody = SerdeStatic<typeof CompleteVersionUploadRequestStruct>;
