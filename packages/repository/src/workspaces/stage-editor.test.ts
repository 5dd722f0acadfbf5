import { describe, expect, it } from 'vitest';
import type { StagedEntry, TreeEntry, Workspace } from '@sluice/core';
import { MemoryBlobStore } from '@sluice/storage';
import { ObjectStore, type TreeChange } from '../history/object-store.js';
import { StageEditor } from './stage-editor.js';
import type { StagingIndex } from './staging-index.js';

/** Counts the directory nodes read, the work a removal does for each directory it is asked for. */
class CountingObjectStore extends ObjectStore {
  reads = 0;
  override async readNode(hash: string, options: { keep?: boolean } = {}): Promise<readonly TreeEntry[]> {
    this.reads += 1;
    return super.readNode(hash, options);
  }
}

/** The one call a removal makes of the stage: what it would write. */
class RecordingStage {
  written = new Map<string, StagedEntry>();
  async put(_ns: string, _repo: string, _id: string, entries: ReadonlyMap<string, StagedEntry>) {
    this.written = new Map(entries);
    return 'applied' as const;
  }
}

const file = (hash: string): TreeChange => ({ hash, size: 1, mimeType: 'text/plain', dataType: 'text' });

describe('StageEditor.remove', () => {
  it('walks each committed directory once, however often (or under whichever named path) it comes', async () => {
    const objects = new CountingObjectStore(new MemoryBlobStore());
    const files = ['d/a', 'd/b', 'd/e/c', 'd/e/f/g', 'x'].sort();
    async function* changes() {
      for (const path of files) yield [path, file(`h${path.length}`)] as const;
    }
    const root = await objects.buildTree(await objects.emptyTree(), changes());
    const commit = await objects.putCommit({
      parent_ids: [],
      message: 'm',
      author: 'a',
      email: 'e',
      timestamp: '2026-01-01T00:00:00.000Z',
      root,
    });
    const workspace: Workspace = { id: 'w', name: null, commitId: commit.id, createdAt: commit.timestamp };
    const stage = new RecordingStage();
    const editor = new StageEditor(stage as unknown as StagingIndex, objects);
    const once = async (paths: string[]) => {
      objects.reads = 0;
      const failed = await editor.remove('ns', 'repo', workspace, paths);
      return { failed, reads: objects.reads, removed: [...stage.written.keys()].sort() };
    };

    const single = await once(['d']);
    expect(single.removed).toEqual(['d/a', 'd/b', 'd/e/c', 'd/e/f/g']);
    // a request is up to 2 MiB: 20,000 names of one directory must not walk it 20,000 times
    const repeated = await once([
      'd/e',
      ...Array.from({ length: 20_000 }, (_, i) => ['d', './d', 'd/'][i % 3]!),
      'd/e/f',
    ]);
    expect(repeated.failed).toEqual([]);
    expect(repeated.removed).toEqual(single.removed);
    expect(repeated.reads).toBeLessThanOrEqual(single.reads * 3);
    // paths that are not there are still named, in request order, under a directory removed whole too
    expect((await once(['d/nope', 'd', 'zz', 'd', 'd/nope'])).failed).toEqual(['d/nope', 'zz', 'd/nope']);
  });
});
