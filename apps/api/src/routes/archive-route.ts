import { normalizeRelativePath, SluiceError, type TreeEntry } from '@sluice/core';
import { comparePaths, walkFiles, type Fetched, type VersionReader, type WalkedFile } from '@sluice/repository';
import { tarGzStream, tarStream, type TarEntry } from '@sluice/storage';
import type { AppServices } from '../app-services.js';
import { contentDisposition } from './content-disposition.js';
import type { TypedApp } from '../openapi/schema-kit.js';
import { getArchive } from './archive-route.schema.js';

/** A walked file with what the store-order reader needs. */
type ArchiveFile = WalkedFile & { hash: string; size: number };

/** The pax record on every entry: the Oxen hash (xxh3-128, hex) the client checks the bytes against. */
const hashPaxKey = 'SLUICE.hash';

/** A path as sort segments: empty and `.` segments dropped, as paths are normalized everywhere. */
const segmentsOf = (path: string) => path.split('/').filter((segment) => segment !== '' && segment !== '.');

/**
 * `GET R/archive/{revision}/{path}`: every file under a directory at a revision (or the one file a
 * path names) in one streamed tar, gzipped with `?gzip=true`. Entries are named below the
 * directory, in depth-first order with each directory's children by name in byte order, each
 * with its Oxen hash in a pax record; `?after=` resumes after a path in that order. The tree is
 * walked lazily and the files read from their packs a window at a time in store order, so memory
 * is bounded whatever the tree's size; the stream is pulled as the client reads (a client that
 * goes away stops the walk and the reads), and an error midway cuts the stream rather than ending
 * the archive as if whole.
 */
export function archiveRoute(app: TypedApp, { repos, objects, versionReader }: AppServices): void {
  app.get('/archive/*', { schema: getArchive, config: { rateClass: 'read', stream: true } }, async (request, reply) => {
    const { namespace, repo } = request.params;
    const { commit, path } = await repos.resolveRevision(namespace, repo, request.params['*']);
    const clean = path.replace(/^\/+|\/+$/g, '');
    const node: Pick<TreeEntry, 'kind' | 'hash' | 'size' | 'name'> | null =
      clean === ''
        ? { kind: 'dir', hash: commit.root, size: 0, name: '' }
        : await objects.lookup(commit.root, normalizeRelativePath(clean));
    if (node === null) throw new SluiceError('resource_not_found', `Could not find path: ${clean}`);
    const after = segmentsOf(request.query.after ?? '');
    const files = node.kind === 'dir' ? walkFiles(objects, node.hash, after) : fileItself(node as TreeEntry, after);
    const mtime = Math.max(0, Math.floor(Date.parse(commit.timestamp) / 1000) || 0);
    const entries = tarEntries(versionReader.inStoreOrder(withContent(files)), versionReader, mtime);
    const gzip = request.query.gzip === true;
    const base = clean === '' ? repo : clean.slice(clean.lastIndexOf('/') + 1);
    return reply
      .header('content-type', gzip ? 'application/gzip' : 'application/x-tar')
      .header('content-disposition', contentDisposition(`${base}.tar${gzip ? '.gz' : ''}`))
      .header('oxen-revision-id', commit.id)
      .send(gzip ? tarGzStream(entries) : tarStream(entries));
  });
}

/** A path that names a file: one entry, its base name (none when `after` is not before it). */
async function* fileItself(entry: TreeEntry, after: readonly string[]): AsyncGenerator<WalkedFile> {
  if (after.length === 0 || comparePaths([entry.name], after) > 0) yield { path: entry.name, entry };
}

async function* withContent(files: AsyncIterable<WalkedFile>): AsyncGenerator<ArchiveFile> {
  for await (const file of files) yield { ...file, hash: file.entry.hash, size: file.entry.size };
}

async function* tarEntries(
  fetched: AsyncIterable<Fetched<ArchiveFile>>,
  reader: VersionReader,
  mtime: number,
): AsyncGenerator<TarEntry> {
  for await (const { item, bytes } of fetched) {
    yield {
      name: item.path,
      size: item.size,
      mtime,
      pax: { [hashPaxKey]: item.hash },
      open: async () => bytes ?? reader.open(item.hash),
    };
  }
}
