import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { readExact } from './read-exact.js';
import { tarGzStream, tarStream, type TarEntry } from './tar-gz-stream.js';

const entry = (name: string, content: Buffer): TarEntry => ({
  name,
  size: content.length,
  open: async () => Readable.from([content]),
});

/** GNU tar reads the archive: what a stock client's tar reader must read too. */
describe('tarGzStream', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  it('writes entries GNU tar extracts byte for byte: empty, a block exactly, a long UTF-8 name', async () => {
    const longName = `${'ü'.repeat(70)}/${'n'.repeat(60)}.bin`;
    const files: Array<[string, Buffer]> = [
      ['0123456789abcdef0123456789abcdef', Buffer.from('hello\n')],
      ['empty', Buffer.alloc(0)],
      ['one-block', Buffer.alloc(512, 7)],
      [longName, Buffer.from(Array.from({ length: 70_000 }, (_, i) => i % 251))],
    ];
    const dir = mkdtempSync(join(tmpdir(), 'sluice-tar-'));
    dirs.push(dir);
    writeFileSync(
      join(dir, 'out.tar.gz'),
      await readExact(tarGzStream(files.map(([name, content]) => entry(name, content)))),
    );
    const listed = execFileSync('tar', ['-tzf', join(dir, 'out.tar.gz')], { encoding: 'utf8' })
      .split('\n')
      .filter(Boolean);
    expect(listed).toEqual(files.map(([name]) => name));
    execFileSync('tar', ['-xzf', join(dir, 'out.tar.gz'), '-C', dir]);
    for (const [name, content] of files) expect(readFileSync(join(dir, name)).equals(content)).toBe(true);
  });

  it('opens one entry at a time, only when its turn comes', async () => {
    const opened: string[] = [];
    const lazy = (name: string): TarEntry => ({
      name,
      size: 3,
      open: async () => (opened.push(name), Readable.from([Buffer.from('abc')])),
    });
    const stream = tarGzStream([lazy('a'), lazy('b')]);
    expect(opened).toEqual([]);
    await readExact(stream);
    expect(opened).toEqual(['a', 'b']);
  });

  it(
    'fails the stream when an entry comes short or long, ' + 'or cannot be read, instead of ending it as if whole',
    async () => {
      await expect(
        readExact(tarGzStream([{ name: 'short', size: 10, open: async () => Readable.from([Buffer.from('abc')]) }])),
      ).rejects.toThrow(/ended after 3 of 10/);
      await expect(
        readExact(tarGzStream([{ name: 'long', size: 2, open: async () => Readable.from([Buffer.from('abc')]) }])),
      ).rejects.toThrow(/more than its 2 bytes/);
      const broken = new Readable({
        read() {
          this.destroy(new Error('store went away'));
        },
      });
      await expect(
        readExact(tarGzStream([entry('ok', Buffer.from('x')), { name: 'broken', size: 5, open: async () => broken }])),
      ).rejects.toThrow(/store went away/);
    },
  );

  it('stops reading the entry when the reader goes away', async () => {
    let reads = 0;
    const endless = new Readable({
      read() {
        reads += 1;
        this.push(Buffer.alloc(64 * 1024));
      },
    });
    const stream = tarGzStream([{ name: 'big', size: 1024 ** 4, open: async () => endless }]);
    for await (const _chunk of stream) break;
    await new Promise((resolve) => endless.once('close', resolve));
    expect(endless.destroyed).toBe(true);
    expect(reads).toBeLessThan(1000);
  });

  it(
    "writes each entry's mtime and pax records (a vendor " + 'record GNU tar skips), from a buffer already read',
    async () => {
      const dir = mkdtempSync(join(tmpdir(), 'sluice-tar-'));
      dirs.push(dir);
      const files = [0, 1].map((i) => ({
        name: `d/f${i}.txt`,
        size: 4,
        mtime: 1_700_000_000 + i,
        pax: { 'SLUICE.hash': `hash${i}` },
        open: async () => Buffer.from(`abc${i}`),
      }));
      const tar = await readExact(tarStream(files));
      writeFileSync(join(dir, 'out.tar'), tar);
      const quiet = '--warning=no-unknown-keyword';
      const listing = [quiet, '--full-time', '--utc', '-tvf', join(dir, 'out.tar')];
      const listed = execFileSync('tar', listing, { encoding: 'utf8' });
      expect(listed.split('\n')).toEqual([
        expect.stringMatching(/^-rw-r--r-- 0\/0 +4 2023-11-14 22:13:20 d\/f0\.txt$/),
        expect.stringMatching(/^-rw-r--r-- 0\/0 +4 2023-11-14 22:13:21 d\/f1\.txt$/),
        '',
      ]);
      expect(tar.toString('latin1')).toContain('21 SLUICE.hash=hash0\n');
      execFileSync('tar', [quiet, '-xf', join(dir, 'out.tar'), '-C', dir]);
      expect(readFileSync(join(dir, 'd/f1.txt'), 'utf8')).toBe('abc1');
      const short = tarStream([{ name: 'x', size: 5, open: async () => Buffer.from('abc') }]);
      await expect(readExact(short)).rejects.toThrow(/holds 3 bytes, not its 5/);
    },
  );
});
