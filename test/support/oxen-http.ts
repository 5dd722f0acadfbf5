import { request as httpRequest } from 'node:http';
import { gzipSync } from 'node:zlib';
import type { JsonBody } from './json-body.js';

export interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
  json<T = JsonBody>(): T;
}

/**
 * Raw HTTP to sluice: the path is sent exactly as given (no URL normalization, so `.` and `..`
 * segments reach the server as a client could send them).
 */
export function send(
  base: string,
  method: string,
  path: string,
  options: { headers?: Record<string, string>; body?: Buffer | string; chunked?: boolean } = {},
): Promise<Reply> {
  const url = new URL(base);
  return new Promise((resolve, reject) => {
    // Node sends a DELETE body with neither Content-Length nor chunked encoding unless told.
    const framing =
      options.chunked === true
        ? { 'transfer-encoding': 'chunked' }
        : options.body === undefined
          ? {}
          : { 'content-length': String(Buffer.byteLength(options.body)) };
    const req = httpRequest(
      { host: url.hostname, port: url.port, method, path, headers: { ...framing, ...options.headers } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const body = Buffer.concat(chunks);
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body,
            json: () => JSON.parse(body.toString('utf8')),
          });
        });
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    if (options.chunked === true && options.body !== undefined) {
      // in 64 KiB writes, so the server meets the body chunk by chunk as a streaming client sends it
      const body = Buffer.from(options.body);
      for (let at = 0; at < body.length; at += 65536) req.write(body.subarray(at, at + 65536));
      req.end();
    } else {
      req.end(options.body);
    }
  });
}

export function sendJson(base: string, method: string, path: string, body: unknown): Promise<Reply> {
  return send(base, method, path, { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
}

export interface Part {
  filename?: string;
  content: Buffer | string;
  /** Gzip the content and mark the part application/gzip, as the Oxen client does. */
  gzip?: boolean;
  name?: string;
  contentType?: string;
}

/** A multipart body as the Oxen client writes it (filename raw UTF-8, `\` and `"` escaped). */
export function multipart(
  parts: Part[],
  boundary = `sluice${Math.random().toString(16).slice(2)}`,
): { body: Buffer; contentType: string } {
  const chunks: Buffer[] = [];
  for (const part of parts) {
    const content = Buffer.isBuffer(part.content) ? part.content : Buffer.from(part.content);
    const filename =
      part.filename === undefined ? '' : `; filename="${part.filename.replace(/[\\"]/g, (c) => '\\' + c)}"`;
    const type = part.contentType ?? (part.gzip ? 'application/gzip' : 'application/octet-stream');
    chunks.push(
      Buffer.from(
        `--${boundary}\r\nContent-Disposition: form-data; ` +
          `name="${part.name ?? 'file[]'}"${filename}\r\nContent-Type: ${type}\r\n\r\n`,
      ),
    );
    chunks.push(part.gzip ? gzipSync(content) : content, Buffer.from('\r\n'));
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return { body: Buffer.concat(chunks), contentType: `multipart/form-data; boundary=${boundary}` };
}

export function upload(
  base: string,
  path: string,
  parts: Part[],
  headers: Record<string, string> = {},
): Promise<Reply> {
  const { body, contentType } = multipart(parts);
  return send(base, 'POST', path, { headers: { 'content-type': contentType, ...headers }, body });
}

/** Creates a repository and a workspace on `main`; returns the workspace's files/changes base path. */
export async function repoWithWorkspace(
  base: string,
  ns: string,
  name: string,
  workspaceId: string,
  files?: Array<{ path: string; contents: string }>,
): Promise<string> {
  const repo = await sendJson(base, 'POST', '/api/repos', { namespace: ns, name, ...(files ? { files } : {}) });
  if (repo.status !== 200) throw new Error(`repo create: ${repo.status} ${repo.body}`);
  const ws = await sendJson(base, 'PUT', `/api/repos/${ns}/${name}/workspaces`, {
    workspace_id: workspaceId,
    branch_name: 'main',
  });
  if (ws.status !== 200) throw new Error(`workspace create: ${ws.status} ${ws.body}`);
  return `/api/repos/${ns}/${name}/workspaces/${workspaceId}`;
}

/** Polls a job until it is completed or failed. */
export async function waitForJob(base: string, location: string, timeoutMs = 120_000): Promise<JsonBody> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const reply = await send(base, 'GET', location);
    const job = reply.json().job;
    if (job?.state === 'completed' || job?.state === 'failed') return job;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`job ${location} did not finish in ${timeoutMs} ms`);
}

/** Every staged file of a workspace: path -> {hash, size, status}. */
export async function stagedFiles(
  base: string,
  workspacePath: string,
): Promise<Map<string, { hash: string; size: number; status: string }>> {
  const out = new Map<string, { hash: string; size: number; status: string }>();
  for (let page = 1; ; page++) {
    const staged = (await send(base, 'GET', `${workspacePath}/changes?page=${page}&page_size=1000`)).json().staged;
    for (const [list, status] of [
      ['added_files', 'added'],
      ['modified_files', 'modified'],
      ['removed_files', 'removed'],
    ] as const) {
      for (const e of staged[list].entries) out.set(e.filename, { hash: e.hash, size: e.size, status });
    }
    const pages = Math.max(
      staged.added_files.total_pages,
      staged.modified_files.total_pages,
      staged.removed_files.total_pages,
    );
    if (page >= pages) return out;
  }
}
