import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { SluiceError } from '@sluice/core';
import { readExact, type BlobStore } from '@sluice/storage';

async function text(stream: Readable): Promise<string> {
  return (await readExact(stream)).toString('utf8');
}

async function keys(store: BlobStore, prefix: string): Promise<string[]> {
  const out: string[] = [];
  for await (const info of store.list(prefix)) out.push(info.key);
  return out.sort();
}

/** What every BlobStore must do; each implementation runs it against a real backend. */
export function blobStoreContract(name: string, make: () => Promise<BlobStore>): void {
  describe(`${name} satisfies the BlobStore contract`, () => {
    const unique = () => `t${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}`;

    it('puts a buffer and reads it back whole, by range and as one owned Buffer', async () => {
      const store = await make();
      const key = `versions/${unique()}/a`;
      await store.put(key, Buffer.from('hello, sluice'));
      expect(await text(await store.get(key))).toBe('hello, sluice');
      expect(await text(await store.getRange(key, 7, 6))).toBe('sluice');
      const whole = await store.getBuffer(key);
      expect(whole.toString()).toBe('hello, sluice');
      expect(whole.byteOffset).toBe(0);
      expect(whole.buffer.byteLength).toBe(whole.length);
      expect((await store.stat(key))?.size).toBe(13);
    });

    it('fails a put whose stream fails midway, promptly and leaving no object', async () => {
      const store = await make();
      const key = `spool/${unique()}/cut`;
      const body = new Readable({ read() {} });
      body.push(Buffer.alloc(3 * 1024 * 1024, 1));
      setTimeout(() => body.destroy(new Error('client went away')), 50);
      await expect(store.put(key, body)).rejects.toThrow(/client went away/);
      expect(await store.stat(key)).toBeNull();
    });

    it('writes a list of buffers in order as one object', async () => {
      const store = await make();
      const key = `spool/${unique()}/list`;
      const parts = Array.from({ length: 700 }, (_, i) => Buffer.from(`${i},`));
      await store.put(key, parts);
      expect(await text(await store.get(key))).toBe(parts.map((p) => p.toString()).join(''));
    });

    it('streams an unsized body larger than one multipart part', async () => {
      const store = await make();
      const key = `spool/${unique()}/big`;
      const chunk = Buffer.alloc(1024 * 1024, 0x61);
      const count = 9; // 9 MiB > the 8 MiB part size of the S3 store
      await store.put(
        key,
        Readable.from(
          (function* () {
            for (let i = 0; i < count; i++) yield chunk;
          })(),
        ),
      );
      expect((await store.stat(key))?.size).toBe(count * chunk.length);
      const tail = await readExact(await store.getRange(key, count * chunk.length - 3, 3));
      expect(tail.toString()).toBe('aaa');
    });

    it('reports a missing key as null from stat and resource_not_found from get', async () => {
      const store = await make();
      const key = `versions/${unique()}/missing`;
      expect(await store.stat(key)).toBeNull();
      await expect(store.get(key).then(readExact)).rejects.toMatchObject({ code: 'resource_not_found' });
      await expect(store.getBuffer(key)).rejects.toBeInstanceOf(SluiceError);
    });

    it('replaces, moves, lists by prefix and deletes (missing keys are fine)', async () => {
      const store = await make();
      const dir = `spool/${unique()}`;
      await store.put(`${dir}/1`, Buffer.from('one'));
      await store.put(`${dir}/1`, Buffer.from('uno'));
      await store.put(`${dir}/2`, Buffer.from('two'));
      await store.put(`${dir}x/3`, Buffer.from('not mine'));
      expect(await text(await store.get(`${dir}/1`))).toBe('uno');
      expect(await keys(store, `${dir}/`)).toEqual([`${dir}/1`, `${dir}/2`]);
      await store.move(`${dir}/2`, `${dir}/moved`);
      expect(await store.stat(`${dir}/2`)).toBeNull();
      expect(await text(await store.get(`${dir}/moved`))).toBe('two');
      await store.delete([`${dir}/1`, `${dir}/moved`, `${dir}/never`]);
      expect(await keys(store, `${dir}/`)).toEqual([]);
      await store.delete([`${dir}x/3`]);
    });

    it('answers ping', async () => {
      await expect((await make()).ping()).resolves.toBeUndefined();
    });
  });
}
