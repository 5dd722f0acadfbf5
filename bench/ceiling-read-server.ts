/**
 * The ceilings of the download workload: a plain Node HTTP server that reads from the local disk
 * and writes to the socket, nothing else. `GET /tar?dir=D&list=L` writes the files named in L
 * (one relative path a line, in order) under D as a tar: a ustar header, the bytes read with
 * readFile, the padding, honouring backpressure. `GET /file?path=P&start=S&length=N[&gunzip=1]`
 * streams those bytes of a file, inflated when asked (1 MiB slices, as sluice's reader).
 */
import { createReadStream, readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createServer, type ServerResponse } from 'node:http';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';

function header(name: string, size: number): Buffer {
  const block = Buffer.alloc(512);
  block.write(name, 0, 100, 'utf8');
  block.write('0000644\0', 100, 'ascii');
  block.write('0000000\0', 108, 'ascii');
  block.write('0000000\0', 116, 'ascii');
  block.write(`${size.toString(8).padStart(11, '0')}\0`, 124, 'ascii');
  block.write('00000000000\0', 136, 'ascii');
  block.write('        ', 148, 'ascii');
  block.write('0', 156, 'ascii');
  block.write('ustar\u000000', 257, 'ascii');
  let sum = 0;
  for (const byte of block) sum += byte;
  block.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 'ascii');
  return block;
}

const written = (res: ServerResponse, chunk: Buffer) =>
  res.write(chunk) ? Promise.resolve() : new Promise<void>((resolve) => res.once('drain', resolve));

const server = createServer(async (req, res) => {
  const url = new URL(req.url ?? '/', 'http://localhost');
  try {
    if (url.pathname === '/tar') {
      const dir = url.searchParams.get('dir')!;
      const names = readFileSync(url.searchParams.get('list')!, 'utf8').split('\n').filter(Boolean);
      res.writeHead(200, { 'content-type': 'application/x-tar' });
      for (const name of names) {
        const content = await readFile(join(dir, name));
        await written(res, header(name, content.length));
        await written(res, content);
        const pad = (512 - (content.length % 512)) % 512;
        if (pad > 0) await written(res, Buffer.alloc(pad));
      }
      res.end(Buffer.alloc(1024));
      return;
    }
    const start = Number(url.searchParams.get('start'));
    const length = Number(url.searchParams.get('length'));
    const read = createReadStream(url.searchParams.get('path')!, {
      start,
      end: start + length - 1,
      highWaterMark: 1024 * 1024,
    });
    res.writeHead(200, { 'content-type': 'application/octet-stream' });
    if (url.searchParams.get('gunzip') === '1') await pipeline(read, createGunzip({ chunkSize: 1024 * 1024 }), res);
    else await pipeline(read, res);
  } catch (error) {
    res.destroy(error as Error);
  }
});
server.listen(0, '127.0.0.1', () => process.stdout.write(`listening ${(server.address() as { port: number }).port}\n`));
