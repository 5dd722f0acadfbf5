import { Agent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { finished, PassThrough, Readable } from 'node:stream';
import { Client } from 'minio';
import { SluiceError, type S3Config } from '@sluice/core';
import type { BlobInfo, BlobStore } from './blob-store.js';
import { readExact } from './read-exact.js';

export interface S3BlobStoreOptions extends S3Config {
  /**
   * Part size of multipart uploads of streams. minio buffers a whole part in memory, and without an
   * explicit size an unsized stream is buffered whole, so this bounds memory per large upload.
   */
  partSize?: number;
  /** Sockets kept open to the endpoint; more than the number of concurrent requests wastes nothing. */
  maxSockets?: number;
}

const missingCodes = new Set(['NoSuchKey', 'NotFound', 'NoSuchObject']);
const unreachableCodes = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
]);

/** Maps what the minio client throws to our codes: missing, store away, store full; anything else as it is. */
export function translateS3Error(error: unknown, key: string): never {
  const code = (error as { code?: string }).code ?? '';
  if (missingCodes.has(code)) throw new SluiceError('resource_not_found', `no blob at ${key}`, { cause: error });
  const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
  // a full or refusing bucket: a quota, an object past what the store takes, 507 Insufficient Storage
  if (
    code === 'EntityTooLarge' ||
    code === 'QuotaExceeded' ||
    status === 507 ||
    /Retryable HTTP status: 507/.test((error as Error)?.message ?? '')
  ) {
    throw new SluiceError(
      'storage_full',
      `the object store refused ${key}: full or over its quota (${code || status || 507})`,
      { cause: error },
    );
  }
  // the minio client's retry wrapper gives up on a 5xx with a plain Error and no code
  const gaveUpOn5xx = /Retryable HTTP status: 5\d\d/.test((error as Error)?.message ?? '');
  if (
    unreachableCodes.has(code) ||
    code === 'SlowDown' ||
    code === 'ServiceUnavailable' ||
    (status ?? 0) >= 500 ||
    gaveUpOn5xx
  ) {
    throw new SluiceError('store_unavailable', `object store unreachable (${code || status}) at ${key}`, {
      cause: error,
    });
  }
  throw error;
}

function isBufferList(body: Buffer | readonly Buffer[] | Readable): body is readonly Buffer[] {
  return Array.isArray(body);
}

/** S3-compatible object storage (MinIO, AWS S3, Swift s3api, Ceph) through the minio client. */
export class S3BlobStore implements BlobStore {
  private readonly client: Client;
  private readonly bucket: string;
  private readonly region: string;

  constructor(options: S3BlobStoreOptions) {
    const url = new URL(options.endpoint);
    const useSSL = url.protocol === 'https:';
    const agentOptions = { keepAlive: true, maxSockets: options.maxSockets ?? 64 };
    this.client = new Client({
      endPoint: url.hostname,
      port: url.port === '' ? (useSSL ? 443 : 80) : Number(url.port),
      useSSL,
      accessKey: options.accessKey,
      secretKey: options.secretKey,
      region: options.region,
      pathStyle: true,
      partSize: options.partSize ?? 8 * 1024 * 1024,
      transportAgent: useSSL ? new HttpsAgent(agentOptions) : new Agent(agentOptions),
      // sluice retries whole jobs itself; fail fast so an outage is seen as one.
      retryOptions: { disableRetry: true },
    });
    this.bucket = options.bucket;
    this.region = options.region;
  }

  /** Creates the bucket if it is missing; called once at start-up. */
  async ensureBucket(): Promise<void> {
    try {
      if (!(await this.client.bucketExists(this.bucket))) await this.client.makeBucket(this.bucket, this.region);
    } catch (error) {
      const code = (error as { code?: string }).code;
      if (code === 'BucketAlreadyOwnedByYou' || code === 'BucketAlreadyExists') return;
      translateS3Error(error, this.bucket);
    }
  }

  async put(key: string, body: Buffer | readonly Buffer[] | Readable): Promise<void> {
    try {
      const data = isBufferList(body) ? Buffer.concat(body) : body;
      if (Buffer.isBuffer(data)) await this.client.putObject(this.bucket, key, data, data.length);
      else await this.putStream(key, data);
    } catch (error) {
      translateS3Error(error, key);
    }
  }

  /**
   * The minio client pipes a stream into its part splitter without listening for the stream's
   * errors: a body that fails (a client gone mid-upload) would leave the put pending forever, and
   * whoever waits for it (the spool's cleanup) with it. So the body is fed to minio by hand, and
   * however it ends (failed, closed early, errored before this put began) the feed ends too; the
   * partial object that completes is removed, and the put fails with the body's error.
   */
  private async putStream(key: string, body: Readable): Promise<void> {
    let failure: unknown;
    const feed = new PassThrough();
    const onData = (chunk: Buffer) => {
      if (!feed.write(chunk)) body.pause();
    };
    feed.on('drain', () => body.resume());
    body.on('data', onData);
    finished(body, (error) => {
      body.off('data', onData);
      if (error) failure ??= error;
      feed.end();
    });
    const put = this.client.putObject(this.bucket, key, feed);
    try {
      await put;
    } catch (error) {
      failure ??= error;
    }
    if (failure === undefined) return;
    await this.client.removeObject(this.bucket, key).catch(() => undefined);
    throw failure;
  }

  /** S3 does not say how much room a bucket has left: a full one shows as storage_full on write. */
  async freeBytes(): Promise<number | null> {
    return null;
  }

  async get(key: string): Promise<Readable> {
    try {
      return await this.client.getObject(this.bucket, key);
    } catch (error) {
      translateS3Error(error, key);
    }
  }

  async getRange(key: string, offset: number, length: number): Promise<Readable> {
    if (length === 0) return Readable.from([]);
    try {
      return await this.client.getPartialObject(this.bucket, key, offset, length);
    } catch (error) {
      translateS3Error(error, key);
    }
  }

  async getBuffer(key: string): Promise<Buffer> {
    const stream = await this.get(key);
    try {
      return await readExact(stream);
    } catch (error) {
      translateS3Error(error, key);
    }
  }

  async stat(key: string): Promise<BlobInfo | null> {
    try {
      const info = await this.client.statObject(this.bucket, key);
      return { key, size: info.size, lastModified: info.lastModified };
    } catch (error) {
      const code = (error as { code?: string }).code ?? '';
      if (missingCodes.has(code)) return null;
      translateS3Error(error, key);
    }
  }

  async delete(keys: readonly string[]): Promise<void> {
    if (keys.length === 0) return;
    try {
      if (keys.length === 1) await this.client.removeObject(this.bucket, keys[0] as string);
      else await this.client.removeObjects(this.bucket, [...keys]);
    } catch (error) {
      translateS3Error(error, keys[0] as string);
    }
  }

  async move(from: string, to: string): Promise<void> {
    try {
      await this.client.copyObject(this.bucket, to, `/${this.bucket}/${from}`);
      await this.client.removeObject(this.bucket, from);
    } catch (error) {
      translateS3Error(error, from);
    }
  }

  async *list(prefix: string): AsyncIterable<BlobInfo> {
    try {
      for await (const item of this.client.listObjectsV2(this.bucket, prefix, true)) {
        const entry = item as { name?: string; size: number; lastModified: Date };
        if (entry.name !== undefined) yield { key: entry.name, size: entry.size, lastModified: entry.lastModified };
      }
    } catch (error) {
      translateS3Error(error, prefix);
    }
  }

  async ping(): Promise<void> {
    try {
      if (!(await this.client.bucketExists(this.bucket))) {
        throw new SluiceError('store_unavailable', `bucket ${this.bucket} does not exist`);
      }
    } catch (error) {
      if (error instanceof SluiceError) throw error;
      translateS3Error(error, this.bucket);
    }
  }
}
