import type {
  CommitBody,
  CommitView,
  CompleteChunkedBody,
  FileResult,
  JobView,
  StageHashesBody,
  WorkspaceBody,
  WorkspaceView,
} from '@sluice/protocol';
import { ClientError } from './client-error.js';
import { multipartBody, type FilePart } from './multipart-body.js';
import type { IncomingMessage } from 'node:http';
import { HttpExchanger, type Body, type Exchange } from './http-exchange.js';

export interface ClientOptions {
  /** The server, e.g. http://127.0.0.1:3000 */
  baseUrl: string;
  /** Sent as `Authorization: Bearer` when the server has auth on. */
  token?: string;
  /** How often a request the server could not serve (unreachable, 429, 503, 504) is sent again. */
  retries?: number;
  /** Instead of a count: how long (ms) such a request keeps being sent again, from its first failure. */
  retryForMs?: number;
  /** Told before each wait for a retry: what went wrong and how long until the next try. */
  onRetry?: (error: ClientError, waitMs: number) => void;
}

// The answers' shapes are the server's own (@sluice/protocol), under the names this SDK always used.
export type Commit = CommitView;
export type Workspace = WorkspaceView;
export type { FileResult };
export type Job = JobView;

/** A synchronous upload answers `paths`; sluice answers 202 and a job when asked to (`async`). */
export type UploadAnswer =
  { paths: string[]; job?: undefined; deduplicated?: number } | { paths?: undefined; job: Job };

export interface Envelope {
  status?: string;
  status_message?: string;
  status_description?: string;
  error?: { type?: string; detail?: string };
  [field: string]: unknown;
}

interface RequestOptions {
  json?: unknown;
  body?: Body;
  headers?: Record<string, string>;
  /** Statuses that are answers, not errors (beyond 2xx). */
  accept?: number[];
  /** Whether sending it twice is harmless (then retryable failures are retried). */
  idempotent?: boolean;
  /** Overrides the client's retry count for this request. */
  retries?: number;
}

const enc = encodeURIComponent;
const encPath = (path: string) => path.split('/').map(enc).join('/');

/**
 * A typed client of the sluice API, which is the Oxen server's API plus jobs: what it calls works
 * against oxen-server too, except `job()` and the async options.
 */
export class SluiceClient {
  readonly baseUrl: string;
  private readonly token: string | undefined;
  private readonly retries: number;
  private readonly retryForMs: number | undefined;
  private readonly http: HttpExchanger;
  private readonly onRetry: ((error: ClientError, waitMs: number) => void) | undefined;

  constructor(options: ClientOptions) {
    this.onRetry = options.onRetry;
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.token = options.token;
    this.retries = options.retries ?? 5;
    this.retryForMs = options.retryForMs;
    this.http = new HttpExchanger(this.baseUrl);
  }

  /** Closes the kept-alive connections (a program that is done with the client). */
  close(): void {
    this.http.close();
  }

  async request<T extends Envelope = Envelope>(
    method: string,
    path: string,
    options: RequestOptions = {},
  ): Promise<{ status: number; body: T }> {
    const headers: Record<string, string> = { ...options.headers };
    if (this.token) headers.authorization = `Bearer ${this.token}`;
    let body: Body | undefined = options.body;
    if (options.json !== undefined) {
      body = JSON.stringify(options.json);
      headers['content-type'] = 'application/json';
    }
    let failedSince = 0;
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.once<T>(method, path, headers, body, options.accept ?? []);
      } catch (error) {
        failedSince ||= Date.now();
        const left = this.retryForMs === undefined ? 0 : this.retryForMs - (Date.now() - failedSince);
        const again =
          options.retries === undefined && this.retryForMs !== undefined
            ? left > 0
            : attempt < (options.retries ?? this.retries);
        const retry = error instanceof ClientError && error.retryable && options.idempotent !== false && again;
        if (!retry) throw error;
        const backoff =
          (error as ClientError & { retryAfter?: number }).retryAfter ?? Math.min(250 * 2 ** attempt, 8000);
        const wait = left > 0 ? Math.min(backoff, left) : backoff;
        this.onRetry?.(error, wait);
        await new Promise((resolve) => setTimeout(resolve, wait));
      }
    }
  }

  private async once<T extends Envelope>(
    method: string,
    path: string,
    headers: Record<string, string>,
    body: Body | undefined,
    accept: number[],
  ): Promise<{ status: number; body: T }> {
    let response: Exchange;
    try {
      response = await this.http.send(method, path, headers, body);
    } catch (error) {
      const { code, message } = error as NodeJS.ErrnoException;
      throw new ClientError('unreachable', `${this.baseUrl} did not answer (${code ?? message})`);
    }
    let parsed: T;
    try {
      parsed = (response.text === '' ? {} : JSON.parse(response.text)) as T;
    } catch {
      parsed = { status_description: response.text.slice(0, 200) } as T;
    }
    const ok = response.status >= 200 && response.status < 300;
    if (ok || accept.includes(response.status)) return { status: response.status, body: parsed };
    const code = parsed.error?.type ?? parsed.status_message ?? `http_${response.status}`;
    const error = new ClientError(
      code,
      (
        `${method} ${path}: ${response.status} ` +
        `${parsed.status_description ?? parsed.error?.detail ?? parsed.status_message ?? ''}`
      ).trimEnd(),
      response.status,
    );
    const retryAfter = Number(response.headers['retry-after']);
    if (retryAfter > 0) Object.assign(error, { retryAfter: Math.min(retryAfter, 30) * 1000 });
    throw error;
  }

  /**
   * A GET answered as a stream (an archive): the body of a 2xx is handed over unread; any other
   * answer is read and thrown as a ClientError, as `request` would. Not retried: the caller
   * knows where to resume.
   */
  async openStream(path: string): Promise<IncomingMessage> {
    const headers: Record<string, string> = this.token ? { authorization: `Bearer ${this.token}` } : {};
    let response: IncomingMessage;
    try {
      response = await this.http.open(path, headers);
    } catch (error) {
      const { code, message } = error as NodeJS.ErrnoException;
      throw new ClientError('unreachable', `${this.baseUrl} did not answer (${code ?? message})`);
    }
    const status = response.statusCode ?? 0;
    if (status >= 200 && status < 300) return response;
    const chunks: Buffer[] = [];
    for await (const chunk of response) chunks.push(chunk as Buffer);
    let parsed: Envelope = {};
    try {
      parsed = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Envelope;
    } catch {
      // not JSON: the status says enough
    }
    const code = parsed.error?.type ?? parsed.status_message ?? `http_${status}`;
    throw new ClientError(
      code,
      `GET ${path}: ${status} ${parsed.status_description ?? parsed.error?.detail ?? ''}`.trimEnd(),
      status,
    );
  }

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
