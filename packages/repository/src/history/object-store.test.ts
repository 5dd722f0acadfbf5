import { describe, expect, it } from 'vitest';
import { MemoryBlobStore } from '@sluice/storage';
import { ObjectStore, type TreeChange } from './object-store.js';
import { comparePaths, walkFiles } from './tree-walk.js';

const file = (hash: string, size = 1): TreeChange => ({ hash, size, mimeType: 'text/plain', dataType: 'text' });
async function* sorted(changes: Array<readonly [string, TreeChange]>) {
  yield* [...changes].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

describe('ObjectStore.buildTree', () => {
  it(
    'applies changes bottom-up, drops emptied directories, ' + 'keeps untouched ones as they were, and sums sizes',
    async () => {
      const objects = new ObjectStore(new MemoryBlobStore());
      const base = await objects.buildTree(
        await objects.emptyTree(),
        sorted([
          ['a/b/c.txt', file('c1', 3)],
          ['a/d.txt', file('d1', 4)],
          ['e.txt', file('e1', 5)],
          ['keep/k.txt', file('k1', 6)],
        ]),
      );
      const keepBefore = (await objects.lookup(base, 'keep'))!;
      const next = await objects.buildTree(
        base,
        sorted([
          ['a/b/c.txt', null], // a/b empties and goes
          ['a/x.txt', file('x1', 7)],
          ['e.txt', file('e2', 8)],
          ['new/deep/n.txt', file('n1', 9)],
        ]),
      );
      expect(await objects.lookup(next, 'a/b')).toBeNull();
      expect((await objects.readNode((await objects.lookup(next, 'a'))!.hash)).map((e) => e.name)).toEqual([
        'd.txt',
        'x.txt',
      ]);
      expect(await objects.lookup(next, 'e.txt')).toMatchObject({ kind: 'file', hash: 'e2', size: 8 });
      expect(await objects.lookup(next, 'new/deep/n.txt')).toMatchObject({ hash: 'n1' });
      expect(await objects.lookup(next, 'keep')).toEqual(keepBefore); // not rewritten
      expect((await objects.lookup(next, 'a'))!.size).toBe(4 + 7);
      // the base is untouched: trees are content-addressed, never edited
      expect(await objects.lookup(base, 'a/b/c.txt')).toMatchObject({ hash: 'c1' });
    },
  );

  it('builds the same root for the same content, whatever the base it started from', async () => {
    const objects = new ObjectStore(new MemoryBlobStore());
    const direct = await objects.buildTree(
      await objects.emptyTree(),
      sorted([
        ['x/y.txt', file('y')],
        ['z.txt', file('z')],
      ]),
    );
    const viaDetour = await objects.buildTree(
      await objects.buildTree(
        await objects.emptyTree(),
        sorted([
          ['x/y.txt', file('y')],
          ['gone/g.txt', file('g')],
        ]),
      ),
      sorted([
        ['gone/g.txt', null],
        ['z.txt', file('z')],
      ]),
    );
    expect(viaDetour).toBe(direct);
  });
});

describe('ObjectStore node cache', () => {
  it(
    'holds at most its bound of tree entries while a large tree is built and read, ' + 'and builds the same tree',
    async () => {
      const changes = Array.from(
        { length: 20_000 },
        (_, i) => [`d${i % 50}/s${Math.floor(i / 50) % 20}/f${i}.csv`, file(`h${i}`, i)] as const,
      );
      const bounded = new ObjectStore(new MemoryBlobStore(), { cachedTreeEntries: 1000 });
      const unbounded = new ObjectStore(new MemoryBlobStore(), { cachedTreeEntries: 1_000_000 });
      const root = await bounded.buildTree(await bounded.emptyTree(), sorted(changes));
      expect(bounded.cachedTreeEntries).toBeLessThanOrEqual(1000);
      expect(await unbounded.buildTree(await unbounded.emptyTree(), sorted(changes))).toBe(root);
      // what a build writes is not cached (nobody reads it next); what is read is, up to the bound
      expect(unbounded.cachedTreeEntries).toBeLessThan(100);
      for (const [path, change] of changes) {
        const expected = { hash: change.hash, size: change.size };
        expect(await bounded.lookup(root, path)).toMatchObject(expected);
        expect(await unbounded.lookup(root, path)).toMatchObject(expected);
      }
      expect(unbounded.cachedTreeEntries).toBeGreaterThan(20_000);
      expect(bounded.cachedTreeEntries).toBeLessThanOrEqual(1000);
    },
  );
});

describe('a walk of a whole tree', () => {
  it('yields every file in order and leaves the node cache to listings and lookups', async () => {
    const changes = Array.from(
      { length: 3000 },
      (_, i) => [`d${i % 30}/s${Math.floor(i / 30) % 10}/f${i}.csv`, file(`h${i}`, i)] as const,
    );
    const objects = new ObjectStore(new MemoryBlobStore());
    const root = await objects.buildTree(await objects.emptyTree(), sorted(changes));
    await objects.lookup(root, 'd1/s1/f31.csv');
    const cachedBefore = objects.cachedTreeEntries;
    const walked: string[] = [];
    for await (const { path } of walkFiles(objects, root)) walked.push(path);
    expect(walked).toHaveLength(3000);
    expect(walked).toEqual([...walked].sort((a, b) => comparePaths(a.split('/'), b.split('/'))));
    expect(objects.cachedTreeEntries).toBe(cachedBefore);
  });
});
