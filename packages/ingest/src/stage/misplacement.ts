import { errorCodeOf } from '@sluice/core';
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
