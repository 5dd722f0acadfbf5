import { gzip as gzipCallback } from 'node:zlib';
import { promisify } from 'node:util';
import { multipart } from '../test/support/oxen-http.js';

const gzip = promisify(gzipCallback);

export interface BenchFile {
  name: string;
  content: Buffer;
  gzipped: Buffer;
}

export interface Batch {
  files: BenchFile[];
  body: Buffer;
  contentType: string;
}

/** A deterministic pseudo-random generator, so every run sends the same dataset. */
export function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = Math.imul(s ^ (s >>> 15), 1 | s);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const labels = ['cat', 'dog', 'bird', 'fish', 'horse', 'sheep', 'cow', 'zebra'];

/** CSV-like rows: ids, measurements and labels, compressing about as real tabular data does. */
export function csvRows(random: () => number, count: number): string[] {
  const rows: string[] = [];
  for (let i = 0; i < count; i++) {
    rows.push(
      `${Math.floor(random() * 1e9)},${(random() * 1000).toFixed(4)},${(random() * 2 - 1).toFixed(6)},` +
        `${labels[Math.floor(random() * labels.length)]},img_${Math.floor(random() * 1e7)}.jpg\n`,
    );
  }
  return rows;
}

/** JSON lines of a labelling dataset: repetitive keys and values, so they compress far better than CSV numbers. */
export function jsonLines(random: () => number, count: number): string[] {
  const lines: string[] = [];
  for (let i = 0; i < count; i++) {
    const label = labels[Math.floor(random() * labels.length)];
    lines.push(
      `{"id":${i},"split":"${random() < 0.8 ? 'train' : 'test'}","label":"${label}","score":` +
        `${random().toFixed(2)},"image":"images/${label}/${i % 1000}.jpg","verified":${random() < 0.5}}\n`,
    );
  }
  return lines;
}

/** `count` distinct CSV files of `size` bytes each, gzipped as the Oxen client sends them. */
export async function makeFiles(count: number, size: number, seed = 1): Promise<BenchFile[]> {
  const random = prng(seed);
  // Each file is a header naming it plus a slice of one large pool of rows at a random offset:
  // distinct content that compresses as CSV does, made in O(1) per file.
  const pool = csvRows(random, Math.ceil((size * 40) / 48)).join('');
  const files: BenchFile[] = [];
  for (let i = 0; i < count; i++) {
    const header = `id,x,y,label,path,file=${i}\n`;
    const start = Math.floor(random() * (pool.length - size));
    const text = header + pool.slice(start, start + size - header.length);
    files.push({
      name: `shard${String(i % 100).padStart(3, '0')}/file${i}.csv`,
      content: Buffer.from(text),
      gzipped: Buffer.alloc(0),
    });
  }
  // zlib's async API runs on libuv's pool: all cores compress at once.
  for (let i = 0; i < files.length; i += 256) {
    await Promise.all(files.slice(i, i + 256).map(async (f) => (f.gzipped = await gzip(f.content))));
  }
  return files;
}

/** Batches as the stock client makes them: files appended until the batch passes `limit` bytes uncompressed. */
export function batchFiles(files: BenchFile[], limit = 10 * 1024 * 1024): Batch[] {
  const batches: Batch[] = [];
  let current: BenchFile[] = [];
  let size = 0;
  const close = () => {
    const { body, contentType } = multipart(
      current.map((f) => ({ filename: f.name, content: f.gzipped, contentType: 'application/gzip' })),
    );
    batches.push({ files: current, body, contentType });
    current = [];
    size = 0;
  };
  for (const file of files) {
    current.push(file);
    size += file.content.length;
    if (size > limit) close();
  }
  if (current.length > 0) close();
  return batches;
}
