import { randomBytes } from 'node:crypto';

export interface FilePart {
  /** The part's filename: the path relative to the upload's directory. */
  filename: string;
  content: Buffer;
  gzip: boolean;
}

/**
 * A multipart/form-data body of `file[]` parts, as the Oxen client writes it (filename raw UTF-8),
 * as a list of buffers: the contents are not copied into one.
 */
export function multipartBody(parts: readonly FilePart[]): { body: Buffer[]; contentType: string } {
  const boundary = `sluice-${randomBytes(12).toString('hex')}`;
  const chunks: Buffer[] = [];
  for (const part of parts) {
    const filename = part.filename.replace(/["\\]/g, (c) => `\\${c}`);
    const type = part.gzip ? 'application/gzip' : 'application/octet-stream';
    chunks.push(
      Buffer.from(
        `--${boundary}\r\nContent-Disposition: form-data; name="file[]"; ` +
          `filename="${filename}"\r\nContent-Type: ${type}\r\n\r\n`,
      ),
      part.content,
      Buffer.from('\r\n'),
    );
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return { body: chunks, contentType: `multipart/form-data; boundary=${boundary}` };
}
