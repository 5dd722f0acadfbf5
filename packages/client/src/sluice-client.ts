import type { CommitBody, CompleteChunkedBody, StageHashesBody, WorkspaceBody } from '@sluice/protocol';
import type { Commit, Job, UploadAnswer, Workspace } from './client-answers.js';
import { ClientError } from './client-error.js';
import { ClientTransport, type Envelope } from './client-transport.js';
import { multipartBody, type FilePart } from './multipart-body.js';

export type { Commit, FileResult, Job, UploadAnswer, Workspace } from './client-answers.js';
export type { ClientOptions, Envelope } from './client-transport.js';

const enc = encodeURIComponent;
const encPath = (path: string) => path.split('/').map(enc).join('/');

/**
 * A typed client of the sluice API, which is the Oxen server's API plus jobs: what it calls works
 * against oxen-server too, except `job()` and the async options.
 */
export class SluiceClient extends ClientTransport {
  private repoPath(ns: string, repo: string): string {
    return `/api/repos/${enc(ns)}/${enc(repo)}`;
  }

  private workspacePath(ns: string, repo: string, workspaceId: string): string {
    return `${this.repoPath(ns, repo)}/workspaces/${enc(workspaceId)}`;
  }

  /** The server's Oxen version; fails fast (one retry) when nothing answers, before any work starts. */
  async version(): Promise<string> {
    const { body } = await this.request<Envelope & { version?: string }>('GET', '/api/version', { retries: 1 });
    return body.version ?? 'unknown';
  }

  async createRepo(ns: string, repo: string): Promise<void> {
    await this.request('POST', '/api/repos', { json: { namespace: ns, name: repo }, idempotent: false });
  }

  async repoExists(ns: string, repo: string): Promise<boolean> {
    const { status } = await this.request('GET', this.repoPath(ns, repo), { accept: [404] });
    return status === 200;
  }

  /** Gets or creates the workspace `id` on `branch`; a named one survives its commits. */
  async workspace(
    ns: string,
    repo: string,
    options: { id: string; branch: string; name?: string },
  ): Promise<Workspace> {
    const { body } = await this.request<Envelope & { workspace: Workspace }>(
      'PUT',
      `${this.repoPath(ns, repo)}/workspaces`,
      {
        json: {
          workspace_id: options.id,
          branch_name: options.branch,
          ...(options.name ? { name: options.name } : {}),
        } satisfies WorkspaceBody,
      },
    );
    return body.workspace;
  }

  async deleteWorkspace(ns: string, repo: string, workspaceId: string): Promise<void> {
    await this.request('DELETE', `${this.repoPath(ns, repo)}/workspaces/${encodeURIComponent(workspaceId)}`, {
      accept: [404],
    });
  }

  /** Uploads files into `directory` of the workspace. `idempotencyKey` makes a resend return the first job. */
  async upload(
    ns: string,
    repo: string,
    workspaceId: string,
    directory: string,
    parts: readonly FilePart[],
    options: { idempotencyKey?: string; async?: boolean } = {},
  ): Promise<UploadAnswer> {
    const { body, contentType } = multipartBody(parts);
    const headers: Record<string, string> = { 'content-type': contentType };
    if (options.idempotencyKey) headers['idempotency-key'] = options.idempotencyKey;
    if (options.async) headers.prefer = 'respond-async';
    const answer = await this.request<Envelope & { paths?: string[]; job?: Job; deduplicated?: number }>(
      'POST',
      `${this.workspacePath(ns, repo, workspaceId)}/files/${encPath(directory)}`,
      {
        body,
        headers,
        idempotent: options.idempotencyKey !== undefined,
      },
    );
    if (answer.status === 202 && answer.body.job) return { job: answer.body.job };
    // sluice says how many files it already held; an Oxen server does not (then 0)
    return { paths: answer.body.paths ?? [], deduplicated: answer.body.deduplicated ?? 0 };
  }

  /**
   * sluice extension: stages the files whose content the server already holds, by hash, and
   * returns the paths it lacks. Null when the server does not offer it (a stock Oxen server).
   */
  async stageHashes(
    ns: string,
    repo: string,
    workspaceId: string,
    files: ReadonlyArray<{ path: string; hash: string }>,
  ): Promise<{ paths: string[]; missing: string[] } | null> {
    const { status, body } = await this.request<Envelope & { paths?: string[]; missing?: string[] }>(
      'POST',
      `${this.workspacePath(ns, repo, workspaceId)}/stage_hashes`,
      {
        json: { files: [...files] } satisfies StageHashesBody,
        accept: [404, 405],
      },
    );
    if (status !== 200 || !Array.isArray(body.missing)) {
      if (body.error?.type === 'workspace_not_found' || body.error?.type === 'repo_not_found')
        throw new ClientError(body.error.type, `${body.status_description ?? 'not found'}`, status);
      return null;
    }
    return { paths: body.paths ?? [], missing: body.missing };
  }

  /** sluice only: an upload or commit job. */
  async job(id: string): Promise<Job> {
    const { body } = await this.request<Envelope & { job: Job }>('GET', `/api/jobs/${enc(id)}`);
    return body.job;
  }

  /** Polls a job until it is done, reporting each reading. */
  async waitForJob(id: string, onProgress: (job: Job) => void = () => undefined, everyMs = 250): Promise<Job> {
    for (;;) {
      const job = await this.job(id);
      onProgress(job);
      if (job.state === 'completed' || job.state === 'failed') return job;
      await new Promise((resolve) => setTimeout(resolve, everyMs));
    }
  }

  /** Every staged path of the workspace with its content hash (removals have none). */
  async staged(ns: string, repo: string, workspaceId: string): Promise<Map<string, string | null>> {
    const found = new Map<string, string | null>();
    type Page = { entries: Array<{ filename: string; hash?: string }>; total_pages: number };
    for (let page = 1, pages = 1; page <= pages; page++) {
      const { body } = await this.request<
        Envelope & { staged: Record<'added_files' | 'modified_files' | 'removed_files', Page> }
      >('GET', `${this.workspacePath(ns, repo, workspaceId)}/changes?page=${page}&page_size=10000`);
      pages = Math.max(
        body.staged.added_files.total_pages,
        body.staged.modified_files.total_pages,
        body.staged.removed_files.total_pages,
      );
      for (const entry of [...body.staged.added_files.entries, ...body.staged.modified_files.entries])
        found.set(entry.filename, entry.hash ?? null);
      for (const entry of body.staged.removed_files.entries) found.set(entry.filename, null);
    }
    return found;
  }

  /**
   * The files of one directory at a revision (a commit id or a branch), with their hashes; empty if it does not exist.
   */
  async listDir(
    ns: string,
    repo: string,
    revision: string,
    directory: string,
  ): Promise<Array<{ path: string; hash: string; isDir: boolean }>> {
    type Page = Envelope & {
      entries?: Array<{ filename: string; hash: string; is_dir: boolean }>;
      total_pages?: number;
    };
    const out: Array<{ path: string; hash: string; isDir: boolean }> = [];
    for (let page = 1; ; page++) {
      const { status, body } = await this.request<Page>(
        'GET',
        `${this.repoPath(ns, repo)}/dir/` +
          `${encPath(revision)}${directory === '' ? '' : `/${encPath(directory)}`}?page=${page}&page_size=1000`,
        { accept: [404] },
      );
      if (status === 404) return [];
      for (const e of body.entries ?? [])
        out.push({ path: directory === '' ? e.filename : `${directory}/${e.filename}`, hash: e.hash, isDir: e.is_dir });
      if (page >= (body.total_pages ?? 1)) return out;
    }
  }

  /**
   * A large file through the chunked route (docs/architecture.md#uploads): chunks of `chunkSize` with up to
   * `concurrency` in flight, then completion, which verifies the hash and stages `dstDir/fileName`.
   */
  async uploadLarge(
    ns: string,
    repo: string,
    workspaceId: string,
    file: {
      hash: string;
      size: number;
      fileName: string;
      dstDir: string;
      read(offset: number, length: number): Promise<Buffer>;
    },
    options: { chunkSize: number; concurrency: number; onChunk?: (bytes: number) => void },
  ): Promise<void> {
    const base = `${this.repoPath(ns, repo)}/versions/${enc(file.hash)}`;
    await this.request('POST', `${base}/create`, {
      json: { hash: file.hash, file_name: file.fileName, size: file.size, dst_dir: file.dstDir },
    });
    const offsets: number[] = [];
    for (let offset = 0; offset < file.size || offsets.length === 0; offset += options.chunkSize) offsets.push(offset);
    let next = 0;
    await Promise.all(
      Array.from({ length: Math.min(options.concurrency, offsets.length) }, async () => {
        while (next < offsets.length) {
          const offset = offsets[next++]!;
          const chunk = await file.read(offset, Math.min(options.chunkSize, file.size - offset));
          await this.request('PUT', `${base}/chunks?offset=${offset}`, {
            body: chunk,
            headers: { 'content-type': 'application/octet-stream' },
          });
          options.onChunk?.(chunk.length);
        }
      }),
    );
    await this.request('POST', `${base}/complete`, {
      json: {
        files: [{ hash: file.hash, file_name: file.fileName, dst_dir: file.dstDir, num_chunks: offsets.length }],
        workspace_id: workspaceId,
      } satisfies CompleteChunkedBody,
    });
  }

  /** Commits the workspace onto `branch`. Never resent by itself: a lost answer may hide a landed commit. */
  async commit(ns: string, repo: string, workspaceId: string, branch: string, message: CommitBody): Promise<Commit> {
    const { body } = await this.request<Envelope & { commit: Commit }>(
      'POST',
      `${this.workspacePath(ns, repo, workspaceId)}/merge/${encPath(branch)}`,
      {
        json: message,
        idempotent: false,
      },
    );
    return body.commit;
  }
}
