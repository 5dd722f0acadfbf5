import { join } from 'node:path';
import { FsBlobStore } from '@sluice/storage';
import { blobStoreContract } from './blob-store-contract.js';
import { tempDir } from '../../../test/support/temp-dirs.js';

const root = tempDir('sluice-fs-store-');
blobStoreContract('FsBlobStore', async () => new FsBlobStore({ root, fsync: true }));
