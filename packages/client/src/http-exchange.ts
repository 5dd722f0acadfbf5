import { Agent as HttpAgent, request as httpRequest, type IncomingHttpHeaders, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';

export interface Exchange {
  status: number;
  headers: IncomingHttpHeaders;
  text: string;
}

export type Body = string | Buffer | readonly Buffer[];

/**
 * One HTTP request with node:http: a body given as several buffers is written as they are, never
 * concatenated or copied (fetch copies a request body once more), over kept-alive connections.
 */
export class HttpExchanger {
  private readonly agent: HttpAgent;
  private readonly secure: boolean;

  constructor(private readonly baseUrl: string) {
    this.secure = baseUrl.startsWith('https:');
    this.agent = this.secure ? new HttpsAgent({ keepAlive: true }) : new HttpAgent({ keepAlive: true });
  }

  send(method: string, path: string, headers: Record<string, string>, body: Body | undefined): Promise<Exchange> {
    const parts =
      body === undefined ? [] : typeof body === 'string' ? [Buffer.from(body)] : Buffer.isBuffer(body) ? [body] : body;
    const length = parts.reduce((sum, part) => sum + part.length, 0);
    const url = new URL(path, this.baseUrl);
    return new Promise((resolve, reject) => {
      const request = (this.secure ? httpsRequest : httpRequest)(
        url,
        {
          method,
          agent: this.agent,
          headers: { ...headers, ...(body === undefined ? {} : { 'content-length': String(length) }) },
        },
        (response) => {
          const chunks: Buffer[] = [];
          response.on('data', (chunk: Buffer) => chunks.push(chunk));
          response.on('error', reject);
          response.on('end', () =>
            resolve({
              status: response.statusCode ?? 0,
              headers: response.headers,
              text: Buffer.concat(chunks).toString('utf8'),
            }),
          );
        },
      );
      request.on('error', reject);
      for (const part of parts) request.write(part);
      request.end();
    });
  }

  /**
   * A GET whose answer is read as a stream: resolves once the head arrived, with the body
   * unread (the caller reads it, or destroys it to stop the transfer).
   */
  open(path: string, headers: Record<string, string>): Promise<IncomingMessage> {
    const url = new URL(path, this.baseUrl);
    return new Promise((resolve, reject) => {
      const request = (this.secure ? httpsRequest : httpRequest)(
        url,
        { method: 'GET', agent: this.agent, headers },
        resolve,
      );
      request.on('error', reject);
      request.end();
    });
  }

  close(): void {
    this.agent.destroy();
  }
}
