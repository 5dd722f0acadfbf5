import type { RepoStore } from '@sluice/repository';
import type { FileOutcome } from './file-outcome.js';

/** Hashes asked of the repository's content set at once. */
const referencedBatch = 1000;

/**
 * How many of the job's stored files the repository already knew: content it referenced before
 * this job, or that an earlier file of the job had. What the version store held may be another
 * tenant's, so that alone does not count.
 */
export async function knownToRepo(
  repos: RepoStore,
  namespace: string,
  repo: string,
  outcomes: readonly FileOutcome[],
): Promise<number> {
  const hashes = outcomes.flatMap((o) => ('error' in o ? [] : [o.hash]));
  const distinct = [...new Set(hashes)];
  let referenced = 0;
  for (let at = 0; at < distinct.length; at += referencedBatch) {
    referenced += (await repos.referencedContent(namespace, repo, distinct.slice(at, at + referencedBatch))).size;
  }
  return hashes.length - (distinct.length - referenced);
}
