import { MemoryBlobStore } from '@sluice/storage';
import { blobStoreContract } from './blob-store-contract.js';

// the store unit tests build on must behave as the real ones do
blobStoreContract('MemoryBlobStore', async () => new MemoryBlobStore());
