import { createHash } from 'node:crypto';
import { resolve } from 'node:path';
import { mapLimit } from '@sluice/core';
import type { Remote } from './remote.js';
import type { SluiceClient } from './sluice-client.js';
import type { PendingFile } from './push-batches.js';
import type { PushOptions, PushProgress } from './push-types.js';

/**
 * Stages by hash what the server already holds (sluice's stage_hashes) and returns the files it
 * lacks; against a server without the route, all of them.
 */
export async function stageKnownContent(
  client: SluiceClient,
  remote: Remote,
  workspaceId: string,
  files: PendingFile[],
  progress: PushProgress,
): Promise<PendingFile[]> {
  const byPath = new Map(files.map((f) => [f.target, f]));
  const unsent: PendingFile[] = [];
  for (let start = 0; start < files.length; start += 5000) {
    const slice = files.slice(start, start + 5000);
    const answer = await client.stageHashes(
      remote.namespace,
      remote.repo,
      workspaceId,
      slice.map((f) => ({ path: f.target, hash: f.hash })),
    );
    if (answer === null) return files;
    for (const path of answer.missing) unsent.push(byPath.get(path)!);
    progress.byHash += answer.paths.length;
    progress.staged += answer.paths.length;
  }
  return unsent;
}

/** A workspace id that the same push (remote, branch, destination, inputs) finds again. */
export function defaultWorkspaceId(options: PushOptions): string {
  const { remote } = options;
  const key = [
    remote.baseUrl,
    remote.namespace,
    remote.repo,
    options.branch,
    options.dst,
    ...options.inputs.map((i) => resolve(i)),
  ].join('\n');
  return `push-${createHash('sha256').update(key).digest('hex').slice(0, 24)}`;
}

/** Hashes of the base commit at the given paths, one directory listing per parent directory. */
export async function baseHashes(
  client: SluiceClient,
  remote: Remote,
  commitId: string,
  paths: readonly string[],
): Promise<Map<string, string>> {
  const dirs = [...new Set(paths.map((p) => p.split('/').slice(0, -1).join('/')))];
  const hashes = new Map<string, string>();
  await mapLimit(dirs, 8, async (dir) => {
    for (const entry of await client.listDir(remote.namespace, remote.repo, commitId, dir))
      if (!entry.isDir) hashes.set(entry.path, entry.hash);
  });
  return hashes;
}
