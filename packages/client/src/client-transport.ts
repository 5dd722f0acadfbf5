import type { IncomingMessage } from 'node:http';
import { ClientError } from './client-error.js';
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

/**
 * What every call of the API goes through: the token, the Oxen envelope read into answers or
 * ClientErrors, and the resending of what the server could not serve.
 */
export class ClientTransport {
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
}
