import { randomBytes } from 'node:crypto';
import { Agent, request as httpRequest } from 'node:http';
import { gzipSync } from 'node:zlib';
import { expect } from 'vitest';
import type { JsonBody } from '../support/json-body.js';

/**
 * The 0.54 Oxen client's requests, byte for byte as docs/api.md#compatibility-with-the-stock-oxen-client lists them:
 * raw node:http, its User-Agent, `Authorization` only when it has a token, and no header it does not send. Bodies the
 * client writes with reqwest's `.body(String)` go without a Content-Type; those it writes with
 * `.json()` carry `application/json`.
 */
export const userAgent = 'Oxen/0.54.0 (linux; rust)';

export interface ClientReply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
  json<T = JsonBody>(): T;
}

type Body =
  | { kind: 'none' }
  | { kind: 'json'; value: unknown }
  | { kind: 'text'; value: unknown }
  | { kind: 'raw'; bytes: Buffer }
  | { kind: 'multipart'; body: Buffer; boundary: string };

/** One remote as the stock client talks to it: `R` = /api/repos/{ns}/{repo}. */
export class StockClient {
  private readonly agent = new Agent({ keepAlive: true, maxSockets: 8 });
  /** Every request sent, with its headers as they went out: what a test checks the client's bytes by. */
  readonly sent: Array<{ method: string; path: string; headers: Record<string, string> }> = [];

  constructor(
    readonly base: string,
    readonly ns: string,
    readonly repo: string,
    private readonly token?: string,
  ) {}

  get R(): string {
    return `/api/repos/${this.ns}/${this.repo}`;
  }

  W(workspace: string): string {
    return `${this.R}/workspaces/${encodeURIComponent(workspace)}`;
  }

  close(): void {
    this.agent.destroy();
  }

  send(method: string, path: string, body: Body = { kind: 'none' }): Promise<ClientReply> {
    const headers: Record<string, string> = { 'user-agent': userAgent, accept: '*/*' };
    if (this.token) headers.authorization = `Bearer ${this.token}`;
    let payload: Buffer | undefined;
    if (body.kind === 'json' || body.kind === 'text') {
      payload = Buffer.from(JSON.stringify(body.value));
      if (body.kind === 'json') headers['content-type'] = 'application/json';
    } else if (body.kind === 'raw') {
      payload = body.bytes;
    } else if (body.kind === 'multipart') {
      payload = body.body;
      headers['content-type'] = `multipart/form-data; boundary=${body.boundary}`;
    }
    if (payload !== undefined) headers['content-length'] = String(payload.length);
    this.sent.push({ method, path, headers });
    const url = new URL(this.base);
    return new Promise((resolve, reject) => {
      const req = httpRequest(
        { host: url.hostname, port: url.port, method, path, headers, agent: this.agent },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            const all = Buffer.concat(chunks);
            resolve({
              status: res.statusCode ?? 0,
              headers: res.headers,
              body: all,
              json: () => JSON.parse(all.toString('utf8')),
            });
          });
          res.on('error', reject);
        },
      );
      req.on('error', reject);
      req.end(payload);
    });
  }

  get(path: string): Promise<ClientReply> {
    return this.send('GET', path);
  }
  /** reqwest's `.json(&body)`: Content-Type application/json. */
  json(method: string, path: string, value: unknown): Promise<ClientReply> {
    return this.send(method, path, { kind: 'json', value });
  }
  /** reqwest's `.body(String)`: the JSON text with no Content-Type at all. */
  text(method: string, path: string, value: unknown): Promise<ClientReply> {
    return this.send(method, path, { kind: 'text', value });
  }
  raw(method: string, path: string, bytes: Buffer): Promise<ClientReply> {
    return this.send(method, path, { kind: 'raw', bytes });
  }
  /** One `file[]` part per file, gzipped at default level, typed application/gzip (docs/architecture.md#uploads). */
  addFiles(
    path: string,
    files: ReadonlyArray<{ filename: string; content: Buffer | string; gzipped?: Buffer }>,
  ): Promise<ClientReply> {
    const boundary = [0, 1, 2, 3].map(() => randomBytes(8).toString('hex')).join('-');
    const chunks: Buffer[] = [];
    for (const file of files) {
      // reqwest escapes only \ and " (and CR, LF) inside the quotes, and writes the rest as raw UTF-8
      const name = file.filename
        .replace(/[\\"]/g, (c) => `\\${c}`)
        .replace(/\r/g, '\\r')
        .replace(/\n/g, '\\n');
      chunks.push(
        Buffer.from(
          `--${boundary}\r\nContent-Disposition: form-data; name="file[]"; filename="${name}"\r\nContent-Type: ` +
            `application/gzip\r\n\r\n`,
        ),
      );
      chunks.push(
        file.gzipped ?? gzipSync(Buffer.isBuffer(file.content) ? file.content : Buffer.from(file.content)),
        Buffer.from('\r\n'),
      );
    }
    chunks.push(Buffer.from(`--${boundary}--\r\n`));
    return this.send('POST', path, { kind: 'multipart', body: Buffer.concat(chunks), boundary });
  }
}

/**
 * What the client's `parse_json_body` demands of every JSON answer (docs/architecture.md#envelope): string
 * `status` and `status_message`; success only with status "success" and a 2xx.
 */
export function expectStatusMessage(reply: ClientReply, outcome: 'success' | 'error' = 'success'): JsonBody {
  const body = reply.json();
  expect(typeof body.status, reply.body.toString()).toBe('string');
  expect(typeof body.status_message, reply.body.toString()).toBe('string');
  if (outcome === 'success') {
    expect(body.status, reply.body.toString()).toBe('success');
    expect(reply.status, reply.body.toString()).toBeGreaterThanOrEqual(200);
    expect(reply.status).toBeLessThan(300);
  } else {
    expect(body.status, reply.body.toString()).toBe('error');
  }
  return body;
}

/** The client's `MetadataEntry` denies unknown fields: exactly these, `children` only when nested. */
const entryFields = [
  'data_type',
  'extension',
  'filename',
  'hash',
  'is_dir',
  'is_queryable',
  'latest_commit',
  'metadata',
  'mime_type',
  'resource',
  'size',
];

export function expectStrictEntry(entry: Record<string, unknown>): void {
  expect(
    Object.keys(entry)
      .filter((k) => k !== 'children')
      .sort(),
  ).toEqual(entryFields);
  expect(typeof entry.filename).toBe('string');
  expect(typeof entry.hash).toBe('string');
  expect(typeof entry.is_dir).toBe('boolean');
  expect(Number.isInteger(entry.size)).toBe(true);
  expect(typeof entry.data_type).toBe('string');
  expect(typeof entry.mime_type).toBe('string');
  expect(typeof entry.extension).toBe('string');
}

/** The client's `Commit`: these fields, the timestamp RFC 3339. */
export function expectCommit(commit: JsonBody): void {
  expect(commit).toMatchObject({
    id: expect.stringMatching(/^[0-9a-f]{1,32}$/),
    message: expect.any(String),
    author: expect.any(String),
    email: expect.any(String),
  });
  expect(Array.isArray(commit.parent_ids)).toBe(true);
  expect(Number.isNaN(Date.parse(commit.timestamp))).toBe(false);
  expect(commit.timestamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/);
}

/** The pagination fields the client's paginated views require. */
export function expectPagination(body: JsonBody): void {
  for (const field of ['page_size', 'page_number', 'total_pages', 'total_entries'])
    expect(Number.isInteger(body[field]), field).toBe(true);
}
