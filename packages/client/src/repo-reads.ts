import type { CommitView, TreeChangeView } from '@sluice/protocol';
import { ClientError } from './client-error.js';
import type { Envelope, SluiceClient } from './sluice-client.js';

const enc = encodeURIComponent;
const encPath = (path: string) => path.split('/').filter(Boolean).map(enc).join('/');
const repoPath = (ns: string, repo: string) => `/api/repos/${enc(ns)}/${enc(repo)}`;
const withPath = (head: string, path: string) => (encPath(path) === '' ? head : `${head}/${encPath(path)}`);

export interface DirEntry {
  name: string;
  isDir: boolean;
  size: number;
  hash: string;
}

export interface Page<T> {
  items: T[];
  totalPages: number;
  totalEntries: number;
}

/**
 * Reads of what a repository holds, for the `sluice` read commands: each says which thing was not
 * there (repository, revision, path) instead of a bare 404, since the server answers 404 for all three.
 */
export class RepoReads {
  constructor(
    private readonly client: SluiceClient,
    private readonly ns: string,
    private readonly repo: string,
  ) {}

  private get base(): string {
    return repoPath(this.ns, this.repo);
  }

  /** Fails with `repo_not_found` (and what to do) when the repository does not exist. */
  async requireRepo(): Promise<void> {
    await this.client.version();
    const { status } = await this.client.request('GET', this.base, { accept: [404] });
    if (status === 404) {
      throw new ClientError(
        'repo_not_found',
        `repository ${this.ns}/${this.repo} not found on ${this.client.baseUrl}`,
        404,
      );
    }
  }

  /**
   * The commit a revision (a branch or a commit id) names now: later pages are read at this commit,
   * so a branch that moves meanwhile does not mix two trees in one listing.
   */
  async commitOf(revision: string): Promise<CommitView> {
    type Answer = Envelope & { resource?: { commit: CommitView; path: string } };
    const { status, body } = await this.client.request<Answer>('GET', `${this.base}/revisions/${encPath(revision)}`, {
      accept: [404],
    });
    if (status === 404 || body.resource === undefined || body.resource.path !== '') {
      throw new ClientError(
        'revision_not_found',
        `revision ${revision} not found in ${this.ns}/${this.repo} (a branch name or a commit id)`,
        404,
      );
    }
    return body.resource.commit;
  }

  /** One page of a directory at a commit. */
  async dirPage(
    commitId: string,
    dir: string,
    page: number,
    pageSize: number,
  ): Promise<Page<DirEntry> & { isDir: boolean }> {
    type Entry = { filename: string; is_dir: boolean; size: number; hash: string };
    type Answer = Envelope & { entries?: Entry[]; total_pages?: number; total_entries?: number };
    const { status, body } = await this.client.request<Answer>(
      'GET',
      `${withPath(`${this.base}/dir/${enc(commitId)}`, dir)}?page=${page}&page_size=${pageSize}`,
      { accept: [400, 404] },
    );
    if (status === 404)
      throw new ClientError('path_not_found', `path ${dir} not found at ${commitId.slice(0, 12)}`, 404);
    if (status === 400) return { items: [], totalPages: 0, totalEntries: 0, isDir: false };
    const items = (body.entries ?? []).map((e) => ({ name: e.filename, isDir: e.is_dir, size: e.size, hash: e.hash }));
    return { items, totalPages: body.total_pages ?? 1, totalEntries: body.total_entries ?? items.length, isDir: true };
  }

  /** The entry at a path (a file or a directory), as `meta` shows it. */
  async entryAt(commitId: string, path: string): Promise<DirEntry> {
    type Answer = Envelope & { entry?: { filename: string; is_dir: boolean; size: number; hash: string } };
    const { status, body } = await this.client.request<Answer>(
      'GET',
      withPath(`${this.base}/meta/${enc(commitId)}`, path),
      { accept: [404] },
    );
    if (status === 404 || body.entry === undefined)
      throw new ClientError('path_not_found', `path ${path} not found at ${commitId.slice(0, 12)}`, 404);
    const e = body.entry;
    return { name: e.filename, isDir: e.is_dir, size: e.size, hash: e.hash };
  }

  /** One page of the commits that changed `path` (every commit for the root), newest first. */
  async historyPage(commitId: string, path: string, page: number, pageSize: number): Promise<Page<CommitView>> {
    type Answer = Envelope & { commits?: CommitView[]; total_pages?: number; total_entries?: number };
    const { body } = await this.client.request<Answer>(
      'GET',
      `${withPath(`${this.base}/commits/history/${enc(commitId)}`, path)}?page=${page}&page_size=${pageSize}`,
    );
    const items = body.commits ?? [];
    return { items, totalPages: body.total_pages ?? 1, totalEntries: body.total_entries ?? items.length };
  }

  /** One page of the files that differ between two commits under `path`; `after` is the cursor of the page before. */
  async comparePage(
    base: string,
    head: string,
    path: string,
    after: string | null,
    pageSize: number,
  ): Promise<{ items: TreeChangeView[]; nextAfter: string | null }> {
    type Answer = Envelope & { entries?: TreeChangeView[]; next_after?: string | null };
    const query = new URLSearchParams({
      base,
      head,
      page_size: String(pageSize),
      ...(path === '' ? {} : { path }),
      ...(after === null ? {} : { after }),
    });
    const { status, body } = await this.client.request<Answer>('GET', `${this.base}/compare/trees?${query}`, {
      accept: [404],
    });
    if (status === 404) {
      if (body.error?.type === 'repo_not_found')
        throw new ClientError('repo_not_found', `repository ${this.ns}/${this.repo} not found`, 404);
      throw new ClientError(
        'path_not_found',
        `path ${path} is in neither ${base.slice(0, 12)} nor ${head.slice(0, 12)}`,
        404,
      );
    }
    return { items: body.entries ?? [], nextAfter: body.next_after ?? null };
  }
}

export interface StagedPath {
  path: string;
  status: 'added' | 'modified' | 'removed';
  size: number;
}

/** One page of what a workspace has staged (each status paged alike, as the server pages them), with the totals. */
export async function stagedPage(
  client: SluiceClient,
  ns: string,
  repo: string,
  workspaceId: string,
  page: number,
  pageSize: number,
): Promise<Page<StagedPath> & { added: number; modified: number; removed: number }> {
  type Listing = { entries: Array<{ filename: string; size: number }>; total_pages: number; total_entries: number };
  type Answer = Envelope & { staged: Record<'added_files' | 'modified_files' | 'removed_files', Listing> };
  const { body } = await client.request<Answer>(
    'GET',
    `${repoPath(ns, repo)}/workspaces/${enc(workspaceId)}/changes?page=${page}&page_size=${pageSize}`,
  );
  const { added_files: added, modified_files: modified, removed_files: removed } = body.staged;
  const of = (listing: Listing, status: StagedPath['status']) =>
    listing.entries.map((e) => ({ path: e.filename, status, size: e.size }));
  return {
    items: [...of(added, 'added'), ...of(modified, 'modified'), ...of(removed, 'removed')],
    totalPages: Math.max(added.total_pages, modified.total_pages, removed.total_pages),
    totalEntries: added.total_entries + modified.total_entries + removed.total_entries,
    added: added.total_entries,
    modified: modified.total_entries,
    removed: removed.total_entries,
  };
}
