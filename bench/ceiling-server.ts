/**
 * The ceiling of the small-files workload: a bare Fastify + @fastify/multipart server that only
 * gunzips and hashes each part in process, with no storage and no queue. It answers the same
 * requests sluice does, so sluice's files/s is quoted as a ratio to this one's in the same run.
 */
import Fastify from 'fastify';
import multipart from '@fastify/multipart';
import { gunzipSync } from 'node:zlib';
import { createOxenHasher } from '@sluice/core';

const hasher = await createOxenHasher();
const app = Fastify({ bodyLimit: 1024 ** 3 });
await app.register(multipart, { preservePath: true, limits: { parts: 1e6, files: 1e6, fileSize: 1024 ** 3 } });
app.post('/upload', async (request) => {
  const paths: string[] = [];
  for await (const part of request.parts()) {
    if (part.type !== 'file') continue;
    const data = await part.toBuffer();
    const content = part.mimetype === 'application/gzip' ? gunzipSync(data, { chunkSize: 256 * 1024 }) : data;
    hasher.init();
    hasher.update(content);
    hasher.digest();
    paths.push(part.filename);
  }
  return { paths };
});
app.get('/health', async () => ({ ok: true }));
await app.listen({ host: '127.0.0.1', port: Number(process.env.PORT ?? 0) });
process.stdout.write(`listening ${(app.server.address() as { port: number }).port}\n`);
