import { normalizeRelativePath, SluiceError, type StagedEntry, type TreeEntry, type Workspace } from '@sluice/core';
import type { ObjectStore } from '../history/object-store.js';
import { comparePaths } from '../history/tree-walk.js';
import { collisionMessage, quotaExceededMessage, type StagingIndex, type WorkspaceQuota } from './staging-index.js';

/**
 * Edits of a workspace's stage that involve its base commit: staging removals (`oxen rm`) and
 * moves (`oxen mv`), with upstream's rules (docs/architecture.md#the-stage).
 */
export class StageEditor {
  constructor(
    private readonly staging: StagingIndex,
    private readonly objects: ObjectStore,
    private readonly quota: WorkspaceQuota = { files: 0, bytes: 0 },
  ) {}

  /** Writes an edit all or nothing, refused whole past a quota or on a collision with staged files. */
  private async write(
    ns: string,
    repo: string,
    workspace: Workspace,
    edits: ReadonlyMap<string, StagedEntry>,
    unstage: readonly string[] = [],
  ): Promise<void> {
    const outcome = await this.staging.put(ns, repo, workspace.id, edits, this.quota, unstage);
    if (outcome === 'over_quota') {
      throw new SluiceError(
        'quota_exceeded',
        quotaExceededMessage(workspace.id, await this.staging.usage(ns, repo, workspace.id), this.quota),
      );
    }
    if (outcome !== 'applied')
      throw new SluiceError('path_conflict', collisionMessage(outcome), { fields: { path: outcome.path } });
  }

  private async baseRoot(workspace: Workspace): Promise<string> {
    return (await this.objects.getCommit(workspace.commitId)).root;
  }

  /** Every file under a directory node, as path -> entry. */
  private async *filesUnder(dirHash: string, prefix: string): AsyncIterable<[string, TreeEntry]> {
    for (const entry of await this.objects.readNode(dirHash)) {
      const path = `${prefix}/${entry.name}`;
      if (entry.kind === 'dir') yield* this.filesUnder(entry.hash, path);
      else yield [path, entry];
    }
  }

  /**
   * Stages removals of committed files and directories; returns the paths that could not be.
   * Removals count against the file quota: past it nothing is staged.
   */
  async remove(ns: string, repo: string, workspace: Workspace, paths: readonly string[]): Promise<string[]> {
    const root = await this.baseRoot(workspace);
    const removals = new Map<string, StagedEntry>();
    const failed: string[] = [];
    // A body names a path as often as it likes (and spells it several ways): each is looked up and
    // walked once, or a small body would walk a large directory for minutes with the loop held.
    const found = new Map<string, TreeEntry | null>();
    const dirs = new Map<string, string>();
    for (const raw of paths) {
      let path: string;
      try {
        path = normalizeRelativePath(raw);
      } catch {
        failed.push(raw);
        continue;
      }
      let entry = found.get(path);
      if (entry === undefined) {
        entry = await this.objects.lookup(root, path);
        found.set(path, entry);
      }
      if (entry === null) failed.push(raw);
      else if (entry.kind === 'file') removals.set(path, removedEntry(entry));
      else dirs.set(path, entry.hash);
    }
    // in segment order a directory's descendants follow it: one under a directory walked is not walked again
    let walked: string | null = null;
    for (const path of [...dirs.keys()].sort((a, b) => comparePaths(a.split('/'), b.split('/')))) {
      if (walked !== null && path.startsWith(`${walked}/`)) continue;
      walked = path;
      for await (const [file, node] of this.filesUnder(dirs.get(path)!, path)) removals.set(file, removedEntry(node));
    }
    await this.write(ns, repo, workspace, removals);
    return failed;
  }

  /** Moves a staged or committed file to a new path (docs/architecture.md#the-stage). */
  async move(ns: string, repo: string, workspace: Workspace, from: string, to: string): Promise<void> {
    if (to.trim() === '') throw new SluiceError('invalid_path', 'new_path cannot be empty');
    const source = normalizeRelativePath(from);
    const destination = normalizeRelativePath(to);
    if (source === destination) throw new SluiceError('bad_request', 'new_path is the same as the source path');
    const root = await this.baseRoot(workspace);
    const { entry: taken, fileAbove } = await this.objects.probe(root, destination);
    if (taken !== null) throw new SluiceError('bad_request', 'new_path already exists in the repository');
    if (fileAbove !== null) {
      throw new SluiceError(
        'path_conflict',
        `cannot move to ${destination}: ${fileAbove} is a committed file, not a directory`,
        { fields: { path: destination } },
      );
    }
    const staged = await this.staging.get(ns, repo, workspace.id, source);
    const committed = await this.objects.lookup(root, source);
    if (committed?.kind === 'dir') throw new SluiceError('not_a_file', `${source} is a directory`);
    const node = staged !== null && staged.status !== 'removed' ? staged : committed && toStaged(committed, 'added');
    if (!node) throw new SluiceError('resource_not_found', `Could not find path: ${source}`);
    if ((await this.staging.get(ns, repo, workspace.id, destination)) !== null) {
      throw new SluiceError('destination_already_staged', `Destination already staged: ${destination}`);
    }
    const edits = new Map<string, StagedEntry>([[destination, { ...node, status: 'added' }]]);
    if (committed !== null) edits.set(source, removedEntry(committed));
    await this.write(ns, repo, workspace, edits, committed === null ? [source] : []);
  }
}

function toStaged(entry: TreeEntry, status: StagedEntry['status']): StagedEntry {
  return {
    status,
    hash: entry.hash,
    size: entry.size,
    mimeType: entry.mimeType ?? 'application/octet-stream',
    dataType: entry.dataType ?? 'binary',
  };
}

function removedEntry(entry: TreeEntry): StagedEntry {
  return toStaged(entry, 'removed');
}
