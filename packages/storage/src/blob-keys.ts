/** Content-addressed file versions, laid out like upstream's: `versions/<h[0..2]>/<h[2..]>`. */
export function versionKey(hash: string): string {
  return `versions/${hash.slice(0, 2)}/${hash.slice(2)}`;
}

/** Content-addressed commit and tree objects (JSON), in the same layout. */
export function objectKey(hash: string): string {
  return `objects/${hash.slice(0, 2)}/${hash.slice(2)}`;
}

export const spoolPrefix = 'spool/';

/** Spool objects of one upload request share the request's id, so a sweeper can find them. */
export function spoolKey(requestId: string, index: number): string {
  return `${spoolPrefix}${requestId}/${index}`;
}

/** Version content still being written under a name not yet known (streamed large files). */
export function pendingVersionKey(id: string): string {
  return `${spoolPrefix}pending/${id}`;
}

/** Chunks of large files uploaded through the chunked /versions route, before reassembly. */
export const chunksPrefix = 'chunks/';

/** Chunks of one large file. */
export function chunkPrefix(namespace: string, repo: string, hash: string): string {
  return `${chunksPrefix}${namespace}/${repo}/${hash}/`;
}

export function chunkKey(namespace: string, repo: string, hash: string, offset: number): string {
  return `${chunkPrefix(namespace, repo, hash)}${offset}`;
}

/** Parts of a resumable upload (POST R/versions/uploads), under the spool: swept once the upload is gone. */
export function uploadPartKey(uploadId: string, part: number): string {
  return `${uploadPartPrefix}${uploadId}/${part}`;
}

export const uploadPartPrefix = `${spoolPrefix}uploads/`;

/** Pack objects: many small versions in one object (see pack-format.ts), named by what they hold. */
export const packPrefix = 'packs/';

export function packKey(id: string): string {
  return `${packPrefix}${id}`;
}
