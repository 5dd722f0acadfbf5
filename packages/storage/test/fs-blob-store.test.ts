import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FsBlobStore } from '@sluice/storage';
import { blobStoreContract } from './blob-store-contract.js';

const root = mkdtempSync(join(tmpdir(), 'sluice-fs-store-'));
blobStoreContract('FsBlobStore', async () => new FsBlobStore({ root, fsync: true }));
