import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FsBlobStore } from '@sluice/storage';
import { ObjectStore } from './object-store.js';
import { planStage, type StageContent } from './stage-plan.js';
import { tempDir } from '../../../test/support/temp-dirs.js';

const content = (hash: string, size = 1): StageContent => ({ hash, size, mimeType: 'text/plain', dataType: 'text' });

describe('planStage', () => {
  it('adds what the base lacks, modifies what differs, leaves out what is the same, and the last file at a path wins', async () => {
    const objects = new ObjectStore(new FsBlobStore({ root: tempDir('sluice-plan-'), fsync: false }));
    const root = await objects.buildTree(await objects.emptyTree(), (async function* () {
      yield ['data/a.txt', { hash: 'aaa', size: 1, mimeType: 'text/plain', dataType: 'text' }] as const;
      yield ['data/b.txt', { hash: 'bbb', size: 1, mimeType: 'text/plain', dataType: 'text' }] as const;
    })());
    const plan = await planStage(objects, root, [
      { path: 'data/a.txt', content: content('aaa') }, // as committed
      { path: 'data/b.txt', content: content('b2') }, // changed
      { path: 'data/c.txt', content: content('ccc') }, // new
      { path: 'data', content: content('ddd') }, // a directory in the base: a file there is new
      { path: 'data/c.txt', content: content('c2', 2) }, // the same path again: this one wins
      { path: 'data/b.txt', content: content('bbb') }, // back to the committed content: not staged
    ]);
    expect(plan.statuses).toEqual(['unchanged', 'modified', 'added', 'added', 'added', 'unchanged']);
    expect([...plan.entries.keys()].sort()).toEqual(['data', 'data/c.txt']);
    expect(plan.entries.get('data/c.txt')).toEqual({ status: 'added', ...content('c2', 2) });
    expect([...plan.unchanged].sort()).toEqual(['data/a.txt', 'data/b.txt']);
  });
});
