import { errorCodeOf, SluiceError, type Workspace } from '@sluice/core';
import { collisionMessage, type ObjectStore, type StagingIndex } from '@sluice/repository';
import { assertPlaceable } from './stage-plan.js';

/**
 * Why files at `paths` cannot be staged in the workspace, from the paths alone (the base commit
 * and the stage, as the collision rule reads them), or null; changes nothing. Asked before any
 * content is taken, so a refused upload stores nothing (and a resumable one is refused when it
 * begins, not after its last part). Staging checks again atomically.
 */
export async function misplacement(
  { objects, staging }: { objects: ObjectStore; staging: StagingIndex },
  root: string,
  target: { namespace: string; repo: string; workspaceId: string },
  paths: readonly string[],
): Promise<string | null> {
  try {
    await assertPlaceable(objects, root, paths);
  } catch (error) {
    if (errorCodeOf(error) === 'path_conflict') return (error as Error).message;
    throw error;
  }
  const collision = await staging.collisionOf(target.namespace, target.repo, target.workspaceId, paths);
  return collision === null ? null : collisionMessage(collision);
}

/**
 * Refuses (409 path_conflict) one file whose bytes are not taken yet where it cannot be staged: a
 * resumable upload when it begins, a chunked one when it completes, so neither is refused by its job
 * after the bytes were stored (and its parts or chunks dropped).
 */
export async function refuseMisplaced(
  deps: { objects: ObjectStore; staging: StagingIndex },
  target: { namespace: string; repo: string; workspace: Workspace },
  path: string,
): Promise<void> {
  const { namespace, repo, workspace } = target;
  const root = (await deps.objects.getCommit(workspace.commitId)).root;
  const misplaced = await misplacement(deps, root, { namespace, repo, workspaceId: workspace.id }, [path]);
  if (misplaced !== null) throw new SluiceError('path_conflict', misplaced, { fields: { path } });
}
