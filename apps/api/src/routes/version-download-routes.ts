import { promisify } from 'node:util';
import { gunzip } from 'node:zlib';
import { SluiceError } from '@sluice/core';
import { tarGzStream } from '@sluice/storage';
import type { AppServices } from '../app-services.js';
import { success } from '../oxen-envelope.js';
import type { TypedApp } from '../openapi/schema-kit.js';
import { versionMetadata, downloadVersions } from './version-download-routes.schema.js';

const gunzipAsync = promisify(gunzip);

/** Hashes one QUERY may ask for: the client asks a batch at a time, far fewer than this. */
const maxQueryHashes = 100_000;
/** The gzipped list of hashes, and what it may inflate to (a line per hash, with room for CRLF). */
const maxQueryBodyBytes = 4 * 1024 * 1024;
const maxQueryListBytes = maxQueryHashes * 34;
/** Hashes asked of Redis per round trip. */
const referenceBatch = 5_000;

/**
 * What the client downloads by content hash: a version's size, and many versions at once as a
 * gzipped tar stream (the client's pull and clone). Only content the repository references is
 * answered: a hash another tenant stored is not a read right, and is as missing as one never
 * stored.
 */
export async function versionDownloadRoutes(app: TypedApp, { repos, versionReader }: AppServices): Promise<void> {
  const base = '/versions';

  /** The size of each referenced, stored hash; the others in `missing`, in the order asked. */
  const sizesOf = async (namespace: string, repo: string, hashes: readonly string[]) => {
    const referenced = new Set<string>();
    for (let i = 0; i < hashes.length; i += referenceBatch) {
      for (const hash of await repos.referencedContent(namespace, repo, hashes.slice(i, i + referenceBatch)))
        referenced.add(hash);
    }
    const sizes = await versionReader.sizes([...referenced]);
    const missing = hashes.filter((hash) => (sizes.get(hash) ?? null) === null);
    return { sizes, missing };
  };

  app.get(`${base}/:hash/metadata`, { schema: versionMetadata, config: { rateClass: 'read' } }, async (request) => {
    const { namespace, repo, hash } = request.params;
    if (!/^[0-9a-f]{1,32}$/.test(hash)) throw new SluiceError('resource_not_found', `version ${hash} not found`);
    const { sizes } = await sizesOf(namespace, repo, [hash]);
    const size = sizes.get(hash);
    if (size === undefined || size === null) throw new SluiceError('resource_not_found', `version ${hash} not found`);
    return success('resource_found', { version: { hash, size } });
  });

  // The client's batch download sends a gzip of `hash\n` lines with no Content-Type: the body is
  // read as bytes whatever its type, in a scope of its own.
  await app.register(async (scope: TypedApp) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: maxQueryBodyBytes }, (_request, body, done) =>
      done(null, body),
    );
    scope.route({
      method: 'QUERY',
      url: base,
      schema: downloadVersions,
      config: { rateClass: 'read' },
      // Fastify refuses a QUERY without a Content-Type (RFC 10008 asks servers to); the stock
      // client sends none, and the body is read as bytes whatever its type, so its own is named.
      onRequest: async (request) => {
        if (request.raw.headers['content-type'] === undefined) request.raw.headers['content-type'] = 'application/gzip';
      },
      handler: async (request, reply) => {
        const { namespace, repo } = request.params;
        // bytes, as the parser above gives them: a body Fastify does not parse has no schema to type it
        const hashes = await hashList(request.body as Buffer | undefined);
        const { sizes, missing } = await sizesOf(namespace, repo, hashes);
        if (missing.length > 0) {
          throw new SluiceError(
            'version_blobs_missing',
            `Server is missing ${missing.length} content blob(s) for this batch download. Missing hashes: ` +
              `${missing.join(', ')}`,
            {
              errorFields: { missing_hashes: missing },
            },
          );
        }
        const entries = hashes.map((hash) => ({
          name: hash,
          size: sizes.get(hash)!,
          open: () => versionReader.open(hash),
        }));
        return reply.header('content-type', 'application/gzip').send(tarGzStream(entries));
      },
    });
  });
}

/**
 * The hashes of a batch download body, as upstream reads them: lines trimmed, blank and non-hex
 * ones dropped; a repeat is sent once.
 */
async function hashList(body: Buffer | undefined): Promise<string[]> {
  if (body === undefined || body.length === 0) return [];
  let text: string;
  try {
    text = (await gunzipAsync(body, { maxOutputLength: maxQueryListBytes })).toString('utf8');
  } catch (error) {
    const tooLong = (error as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE';
    throw new SluiceError(
      'bad_request',
      tooLong ? `at most ${maxQueryHashes} hashes a request` : 'the body must be a gzip of hash lines',
    );
  }
  const hashes = [
    ...new Set(
      text
        .split('\n')
        .map((line) => line.trim())
        .filter((line) => /^[0-9a-fA-F]+$/.test(line)),
    ),
  ];
  if (hashes.length > maxQueryHashes)
    throw new SluiceError('bad_request', `at most ${maxQueryHashes} hashes a request`);
  return hashes;
}
