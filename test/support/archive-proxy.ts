import { createServer, request as httpRequest, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One archive answer as it went through the proxy: the request's URL and the body bytes forwarded. */
export interface ProxiedArchive {
  url: string;
  status: number;
  body: Buffer;
}

/**
 * An HTTP proxy in front of sluice that sees every archive answer on the wire: it records the
 * bytes it forwarded, and can cut the next answer after some bytes, hold it (forward nothing more
 * until the client goes away), or flip bytes of it, each once. Everything else passes as is.
 */
export class ArchiveProxy {
  readonly archives: ProxiedArchive[] = [];
  cutAfter: number | null = null;
  holdAfter: number | null = null;
  /** Offsets of the next archive answer's body whose byte is flipped. */
  flipAt: number[] = [];
  /** While set, every archive answer's body is these bytes instead (a hostile or broken server), status kept. */
  replaceWith: Buffer | null = null;
  private readonly held = new Set<ServerResponse>();
  private server: Server | null = null;
  url = '';

  constructor(private readonly upstream: string) {}

  async start(): Promise<this> {
    const target = new URL(this.upstream);
    this.server = createServer((req, res) => {
      const forward = httpRequest(
        { host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers },
        (answer) => {
          const replaced = this.replaceWith !== null && (req.url ?? '').includes('/archive/');
          const headers = { ...answer.headers };
          // the replacement's length is its own
          if (replaced) delete headers['content-length'];
          res.writeHead(answer.statusCode ?? 502, headers);
          if (!(req.url ?? '').includes('/archive/')) {
            answer.pipe(res);
            return;
          }
          const record: ProxiedArchive = { url: req.url!, status: answer.statusCode ?? 0, body: Buffer.alloc(0) };
          this.archives.push(record);
          if (this.replaceWith !== null) {
            record.body = this.replaceWith;
            answer.resume();
            res.end(this.replaceWith);
            return;
          }
          const [cut, hold, flips] = [this.cutAfter, this.holdAfter, this.flipAt];
          this.cutAfter = this.holdAfter = null;
          this.flipAt = [];
          let sent = 0;
          let stopped = false;
          answer.on('data', (chunk: Buffer) => {
            if (stopped) return;
            let piece = Buffer.from(chunk);
            const limit = cut ?? hold;
            if (limit !== null && sent + piece.length >= limit) {
              piece = piece.subarray(0, limit - sent);
              stopped = true;
            }
            for (const flip of flips) if (flip >= sent && flip < sent + piece.length) piece[flip - sent] ^= 0x01;
            sent += piece.length;
            record.body = Buffer.concat([record.body, piece]);
            if (!stopped) {
              res.write(piece);
              return;
            }
            answer.destroy();
            res.write(piece);
            // cut with a FIN after what was forwarded (a destroy could
            // drop bytes not yet flushed): the client gets exactly those
            if (cut !== null) res.socket?.end();
            else this.held.add(res);
          });
          answer.on('end', () => res.end());
          answer.on('error', () => res.socket?.destroy());
        },
      );
      forward.on('error', () => res.socket?.destroy());
      req.pipe(forward);
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  /** Drops the answers being held. */
  release(): void {
    for (const res of this.held) res.socket?.destroy();
    this.held.clear();
  }

  async stop(): Promise<void> {
    this.release();
    this.server?.closeAllConnections();
    await new Promise((resolve) => this.server?.close(resolve));
  }
}
