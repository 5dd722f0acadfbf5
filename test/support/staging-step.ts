import type { StagedEntry } from '@sluice/core';

/** A one-byte text file's staged entry whose content is `hash`. */
export const stagedEntry = (hash: string): StagedEntry => ({
  status: 'added',
  hash,
  size: 1,
  mimeType: 'text/plain',
  dataType: 'text',
});

/** The staging step of one job (StagingIndex.apply) into a workspace of ox/r, repository `repoUuid`. */
export const stagingStep =
  (repoUuid: string) =>
  (
    jobId: string,
    entries: ReadonlyMap<string, StagedEntry>,
    unchanged: string[] = [],
    result = '{}',
    workspaceId = 'w',
  ) => ({
    ns: 'ox',
    repo: 'r',
    repoUuid,
    workspaceId,
    entries,
    unchanged,
    job: { id: jobId, result, ttlSeconds: 60 },
  });
