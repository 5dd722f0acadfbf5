import { describe, expect, it, inject } from 'vitest';
import { S3BlobStore } from '@sluice/storage';
import { blobStoreContract } from './blob-store-contract.js';
import { freePort } from '../../../test/support/free-port.js';

const s3 = inject('s3');
const bucket = `contract-${Date.now().toString(36)}`;

describe.skipIf(s3 === null)('S3BlobStore', () => {
  blobStoreContract('S3BlobStore', async () => {
    const store = new S3BlobStore({ ...s3!, bucket });
    await store.ensureBucket();
    return store;
  });

  it('reports an unreachable endpoint as store_unavailable', async () => {
    const store = new S3BlobStore({ ...s3!, endpoint: `http://127.0.0.1:${await freePort()}`, bucket });
    await expect(store.ping()).rejects.toMatchObject({ code: 'store_unavailable' });
    await expect(store.put('spool/x', Buffer.from('x'))).rejects.toMatchObject({ code: 'store_unavailable' });
  });
});
