import type { DataType, StagedEntry } from '@sluice/core';
import type { ObjectStore } from './object-store.js';

/** What is known of a file's content when it is staged. */
export interface StageContent {
  hash: string;
  size: number;
  mimeType: string;
  dataType: DataType;
}

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
 * How files are staged against a workspace's base commit (reference §6.3), the one rule for
 * uploads, stage-by-hash and resumable uploads: a path not in the base is added, one whose content
 * differs is modified, one with the same content is not staged (and an earlier staged entry there
 * is removed); within one batch the last file at a path wins.
 */
export async function planStage(objects: ObjectStore, root: string, files: ReadonlyArray<{ path: string; content: StageContent }>): Promise<StagePlan> {
  const plan: StagePlan = { entries: new Map(), unchanged: new Set(), statuses: [] };
  for (const { path, content } of files) {
    const base = await objects.lookup(root, path);
    const status: PlannedStatus = base?.kind !== 'file' ? 'added' : base.hash === content.hash ? 'unchanged' : 'modified';
    plan.statuses.push(status);
    if (status === 'unchanged') {
      plan.entries.delete(path);
      plan.unchanged.add(path);
    } else {
      plan.unchanged.delete(path);
      plan.entries.set(path, { status, ...content });
    }
  }
  return plan;
}
