import { normalizeRelativePath, SluiceError } from '@sluice/core';
import { success } from '../oxen-envelope.js';
import { stageKnownContent, type IngestDeps } from '@sluice/ingest';
import type { TypedApp } from '../openapi/schema-kit.js';
import { stageHashes } from './stage-hashes-route.schema.js';

/** Entries per request: each known one costs a stat and a 4 KiB read of the store. */
const maxHashEntries = 5000;
const hashPattern = /^[0-9a-f]{1,32}$/;

/**
 * sluice extension: stage files by content hash, for content this repository already references,
 * so a client re-pushing known content sends no bytes. Body `{"files":[{"path","hash"}]}`; the
 * answer lists the `paths` staged (or unchanged against the base commit, as an upload echoes
 * them) and the `missing` paths whose content the repository lacks: upload those as usual.
 * Content of other repositories counts as missing, whoever holds it.
 */
export function stageHashesRoute(app: TypedApp, ingest: IngestDeps): void {
  app.post('/stage_hashes', { schema: stageHashes }, async (request) => {
    const { files } = request.body;
    if (files.length > maxHashEntries)
      throw new SluiceError('too_many_parts', `at most ${maxHashEntries} files per request`);
    const wanted = files.map((f) => {
      if (!hashPattern.test(f.hash)) throw new SluiceError('bad_request', `not an Oxen content hash: ${f.hash}`);
      return { path: normalizeRelativePath(f.path), hash: f.hash };
    });
    return success('resource_created', await stageKnownContent(ingest, request.repository, request.workspace, wanted));
  });
}
