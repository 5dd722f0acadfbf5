import type { Commit } from '@sluice/core';

/** A commit as Oxen clients parse it (the server's tree root stays internal). */
export type CommitView = Omit<Commit, 'root'>;

/** A workspace: its id, its name if it has one, and the commit it is based on. */
export interface WorkspaceView {
  id: string;
  name: string | null;
  commit: CommitView;
  created_at: string;
}
