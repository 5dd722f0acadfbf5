import { describe, expect, it } from 'vitest';
import { FsBlobStore } from '@sluice/storage';
import { ObjectStore } from '@sluice/repository';
import type { ContentFacts } from '@sluice/core';
import { planStage } from './stage-plan.js';
import { tempDir } from '../../../../test/support/temp-dirs.js';

const content = (hash: string, size = 1): ContentFacts => ({ hash, size, mimeType: 'text/plain', dataType: 'text' });

describe('planStage', () => {
  it(
    'adds what the base lacks, modifies what differs, ' +
      'leaves out what is the same, and the last file at a path wins',
    async () => {
      const objects = new ObjectStore(new FsBlobStore({ root: tempDir('sluice-plan-'), fsync: false }));
      const root = await objects.buildTree(
        await objects.emptyTree(),
        (async function* () {
          yield ['data/a.txt', { hash: 'aaa', size: 1, mimeType: 'text/plain', dataType: 'text' }] as const;
          yield ['data/b.txt', { hash: 'bbb', size: 1, mimeType: 'text/plain', dataType: 'text' }] as const;
        })(),
      );
      const plan = await planStage(objects, root, [
        { path: 'data/a.txt', content: content('aaa') }, // as committed
        { path: 'data/b.txt', content: content('b2') }, // changed
        { path: 'data/c.txt', content: content('ccc') }, // new
        { path: 'data/c.txt', content: content('c2', 2) }, // the same path again: this one wins
        { path: 'data/b.txt', content: content('bbb') }, // back to the committed content: not staged
      ]);
      expect(plan.statuses).toEqual(['unchanged', 'modified', 'added', 'added', 'unchanged']);
      expect([...plan.entries.keys()].sort()).toEqual(['data/c.txt']);
      expect(plan.entries.get('data/c.txt')).toEqual({ status: 'added', ...content('c2', 2) });
      expect([...plan.unchanged].sort()).toEqual(['data/a.txt', 'data/b.txt']);
    },
  );

  it(
    'refuses a file where the base has a directory, ' + 'under a base file, or under a file of the same batch',
    async () => {
      const objects = new ObjectStore(new FsBlobStore({ root: tempDir('sluice-plan-'), fsync: false }));
      const root = await objects.buildTree(
        await objects.emptyTree(),
        (async function* () {
          yield ['d/a.txt', { hash: 'aaa', size: 1, mimeType: 'text/plain', dataType: 'text' }] as const;
          yield ['f', { hash: 'fff', size: 1, mimeType: 'text/plain', dataType: 'text' }] as const;
        })(),
      );
      const refusal = (paths: string[]) =>
        planStage(
          objects,
          root,
          paths.map((path) => ({ path, content: content(`h${path.length}`) })),
        );
      await expect(refusal(['ok', 'd'])).rejects.toMatchObject({
        code: 'path_conflict',
        message: expect.stringMatching(/at d: it is a committed directory/),
      });
      await expect(refusal(['f/g'])).rejects.toMatchObject({
        code: 'path_conflict',
        message: expect.stringMatching(/f is a committed file/),
      });
      await expect(refusal(['x', 'x/y'])).rejects.toMatchObject({
        code: 'path_conflict',
        message: expect.stringMatching(/x is a file of the same request/),
      });
      await expect(refusal(['x/y/z', 'x'])).rejects.toMatchObject({ code: 'path_conflict' });
      expect((await refusal(['x/y', 'x/z', 'd/b.txt', 'f'])).statuses).toEqual(['added', 'added', 'added', 'modified']);
    },
  );
});
