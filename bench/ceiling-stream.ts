/**
 * The ceiling of the large-file workload: one process streaming the gzip file through gunzip
 * (256 KiB chunks) and xxh3-128, nothing else. Prints the seconds it took.
 */
import { createReadStream } from 'node:fs';
import { createGunzip } from 'node:zlib';
import { createOxenHasher } from '@sluice/core';

const hasher = await createOxenHasher();
hasher.init();
const started = process.hrtime.bigint();
const stream = createReadStream(process.argv[2]!, { highWaterMark: 256 * 1024 }).pipe(
  createGunzip({ chunkSize: 256 * 1024 }),
);
for await (const chunk of stream) hasher.update(chunk as Buffer);
const hash = hasher.digest();
process.stdout.write(`${Number(process.hrtime.bigint() - started) / 1e9} ${hash}\n`);
