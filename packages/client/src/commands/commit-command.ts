import { ClientError } from '../client-error.js';
import type { Remote } from '../remote.js';
import type { SluiceClient } from '../sluice-client.js';

/** `sluice commit`: commits a workspace onto a branch; exit 1 when it has nothing to commit. */
export async function commitCommand(
  client: SluiceClient,
  remote: Remote,
  workspace: string,
  branch: string,
  message: { message: string; author: string; email: string },
): Promise<number> {
  const commit = await client
    .commit(remote.namespace, remote.repo, workspace, branch, message)
    .catch((error: unknown) => {
      if (error instanceof ClientError && error.status === 422) return null;
      throw error;
    });
  if (commit === null) {
    process.stdout.write(`nothing to commit: workspace ${workspace} has nothing staged that differs from ${branch}\n`);
    return 1;
  }
  process.stdout.write(`commit ${commit.id} on ${branch}: ${commit.message}\n`);
  return 0;
}
