import { fileUnderFile, SluiceError, type ContentFacts, type StagedEntry } from '@sluice/core';
import type { ObjectStore } from '@sluice/repository';

export type PlannedStatus = 'added' | 'modified' | 'unchanged';

export interface StagePlan {
  /** The entries to set, by path. */
  entries: Map<string, StagedEntry>;
  /** Paths whose content equals the base commit's: any staged entry there goes. */
  unchanged: Set<string>;
  /** Each file's status, in the order given. */
  statuses: PlannedStatus[];
}

/**
 * How files are staged against a workspace's base commit (docs/architecture.md#the-stage), the one rule for
 * uploads, stage-by-hash and resumable uploads: a path not in the base is added, one whose content
 * differs is modified, one with the same content is not staged (and an earlier staged entry there
 * is removed); within one batch the last file at a path wins.
 *
 * A file never takes the place of a directory, nor a directory that of a file: a path that is a
 * directory of the base commit, or lies under one of its files, or under another file of the
 * batch, refuses the whole batch (`path_conflict`). Upstream has no rule here and loses one side
 * at commit; its `mv` refuses a destination the base commit holds in any form, and so does this.
 * Staged removals do not make room: replace a directory by a file over two commits.
 */
export async function planStage(
  objects: ObjectStore,
  root: string,
  files: ReadonlyArray<{ path: string; content: ContentFacts }>,
): Promise<StagePlan> {
  const plan: StagePlan = { entries: new Map(), unchanged: new Set(), statuses: [] };
  for (const { path, content } of files) {
    const { entry: base, fileAbove } = await objects.probe(root, path);
    if (fileAbove !== null) throw pathConflict(path, `${fileAbove} is a committed file, not a directory`);
    if (base?.kind === 'dir') throw pathConflict(path, `it is a committed directory`);
    const status: PlannedStatus = base === null ? 'added' : base.hash === content.hash ? 'unchanged' : 'modified';
    plan.statuses.push(status);
    if (status === 'unchanged') {
      plan.entries.delete(path);
      plan.unchanged.add(path);
    } else {
      plan.unchanged.delete(path);
      plan.entries.set(path, { status, ...content });
    }
  }
  const under = fileUnderFile(files.map((file) => file.path));
  if (under !== null) throw pathConflict(under.path, `${under.file} is a file of the same request`);
  return plan;
}

/**
 * The placement rule of planStage alone, from the paths only: throws `path_conflict` when a file
 * at one of them would take the place of a committed directory, lie under a committed file, or
 * lie under another of them. Run before any content is stored, so a refused batch stores nothing.
 */
export async function assertPlaceable(objects: ObjectStore, root: string, paths: readonly string[]): Promise<void> {
  const under = fileUnderFile(paths);
  if (under !== null) throw pathConflict(under.path, `${under.file} is a file of the same request`);
  for (const path of new Set(paths)) {
    const { entry, fileAbove } = await objects.probe(root, path);
    if (fileAbove !== null) throw pathConflict(path, `${fileAbove} is a committed file, not a directory`);
    if (entry?.kind === 'dir') throw pathConflict(path, `it is a committed directory`);
  }
}

function pathConflict(path: string, reason: string): SluiceError {
  return new SluiceError('path_conflict', `cannot stage a file at ${path}: ${reason}; nothing was staged`, {
    fields: { path },
  });
}
