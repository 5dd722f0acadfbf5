/** A commit as Oxen clients parse it (the server's tree root stays internal). */
export interface CommitView {
  id: string;
  parent_ids: string[];
  message: string;
  author: string;
  email: string;
  timestamp: string;
}

/** A workspace: its id, its name if it has one, and the commit it is based on. */
export interface WorkspaceView {
  id: string;
  name: string | null;
  commit: CommitView;
  created_at: string;
}
