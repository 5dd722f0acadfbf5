import type { ContentFacts } from './content-facts.js';
import type { DataType } from './sniff-mime.js';

/** A repository: the unit that owns branches, commits and workspaces. */
export interface Repository {
  namespace: string;
  name: string;
  /** Stable identity; Redis keys use it, so a deleted and re-created name never sees old data. */
  uuid: string;
  createdAt: string;
}

/** A commit as Oxen serialises it, plus the root of its tree in the object store. */
export interface Commit {
  id: string;
  parent_ids: string[];
  message: string;
  author: string;
  email: string;
  timestamp: string;
  /** Hash of the root directory node; the empty tree for the initial commit. */
  root: string;
}

export interface Workspace {
  id: string;
  name: string | null;
  commitId: string;
  createdAt: string;
}

export type StagedStatus = 'added' | 'modified' | 'removed';

/** One file staged in a workspace index, keyed there by its repository-relative path. */
export interface StagedEntry extends ContentFacts {
  status: StagedStatus;
}

/** A child of a directory node in a commit tree. Directory entries carry their node's hash. */
export interface TreeEntry {
  name: string;
  kind: 'file' | 'dir';
  hash: string;
  size: number;
  mimeType?: string;
  dataType?: DataType;
}
