import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { CountingBlobStore } from './counting-blob-store.js';
import { HandOffBlobStore } from './hand-off-blob-store.js';
import { MemoryBlobStore } from './memory-blob-store.js';

function stores(maxBytes = 1024) {
  const counted = new CountingBlobStore(new MemoryBlobStore());
  const handOff = new HandOffBlobStore(counted, (key) => key.startsWith('spool/'), maxBytes);
  const gets = () => counted.snapshot().spool?.get ?? 0;
  return { counted, handOff, gets };
}

describe('HandOffBlobStore', () => {
  it('hands a spool segment to its first reader without asking the store, then reads the store', async () => {
    const { handOff, gets } = stores();
    await handOff.put('spool/r1/0', [Buffer.from('abc'), Buffer.from('def')]);
    const first = await handOff.getBuffer('spool/r1/0');
    expect(first.toString()).toBe('abcdef');
    expect(gets()).toBe(0);
    // its own memory, never a slice of a shared pool: the reader may transfer it to a thread
    expect(first.byteOffset).toBe(0);
    expect(first.buffer.byteLength).toBe(6);
    expect((await handOff.getBuffer('spool/r1/0')).toString()).toBe('abcdef');
    expect(gets()).toBe(1);
  });

  it('fills memory given back again, for a segment that fits in it', async () => {
    const { handOff } = stores();
    await handOff.put('spool/g/0', Buffer.alloc(100, 1));
    const first = await handOff.getBuffer('spool/g/0');
    handOff.release(first.buffer as ArrayBuffer);
    await handOff.put('spool/g/1', Buffer.alloc(80, 2));
    const second = await handOff.getBuffer('spool/g/1');
    expect(second.buffer).toBe(first.buffer);
    expect(second.length).toBe(80);
    expect(second.every((byte) => byte === 2)).toBe(true);
    // too small for the next one: that gets memory of its own
    handOff.release(second.buffer as ArrayBuffer);
    await handOff.put('spool/g/2', Buffer.alloc(120, 3));
    expect((await handOff.getBuffer('spool/g/2')).buffer).not.toBe(first.buffer);
  });

  it('wrote the store first: another process reads what this one holds', async () => {
    const { counted, handOff } = stores();
    await handOff.put('spool/r2/0', Buffer.from('durable'));
    expect((await counted.getBuffer('spool/r2/0')).toString()).toBe('durable');
  });

  it('holds no more than its bound, dropping the oldest first', async () => {
    const { handOff, gets } = stores(10);
    await handOff.put('spool/a/0', Buffer.alloc(6, 1));
    await handOff.put('spool/b/0', Buffer.alloc(6, 2));
    await handOff.getBuffer('spool/a/0');
    expect(gets()).toBe(1);
    await handOff.getBuffer('spool/b/0');
    expect(gets()).toBe(1);
    await handOff.put('spool/c/0', Buffer.alloc(11));
    await handOff.getBuffer('spool/c/0');
    expect(gets()).toBe(2);
  });

  it('forgets what is deleted or moved, and never holds other keys or streams', async () => {
    const { counted, handOff, gets } = stores();
    await handOff.put('spool/d/0', Buffer.from('x'));
    await handOff.delete(['spool/d/0']);
    await expect(handOff.getBuffer('spool/d/0')).rejects.toMatchObject({ code: 'resource_not_found' });
    await handOff.put('spool/e/0', Buffer.from('y'));
    await handOff.move('spool/e/0', 'spool/e/1');
    await handOff.getBuffer('spool/e/1');
    await handOff.put('spool/f/0', Readable.from([Buffer.from('stream')]));
    await handOff.getBuffer('spool/f/0');
    expect(gets()).toBe(3);
    await handOff.put('versions/ab/cd', Buffer.from('z'));
    await handOff.getBuffer('versions/ab/cd');
    expect(counted.snapshot().versions?.get).toBe(1);
  });
});
