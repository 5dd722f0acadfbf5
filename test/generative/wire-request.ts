import { connect, type Socket } from 'node:net';

/** How the body is framed on the wire. `none` sends it with neither Content-Length nor chunking. */
export type Framing = 'length' | 'chunked' | 'none';

/**
 * How the body reaches the server: at once, in pieces with pauses (bounded by the caller), or cut:
 * `cut-reset` drops the connection after `keep` thousandths of the framed body, `cut-end`
 * half-closes it there and waits for what the server says.
 */
export type Delivery =
  | { kind: 'whole' }
  | { kind: 'slow'; pieces: number; pauseMs: number }
  | { kind: 'cut-reset'; keep: number }
  | { kind: 'cut-end'; keep: number };

export interface WireRequest {
  method: string;
  /** Sent exactly as given: no normalization or encoding. */
  target: string;
  headers: Array<[string, string]>;
  body: Buffer;
  framing: Framing;
  /** Sizes of the chunks when framing is chunked; the rest of the body goes in one more chunk. */
  chunkSizes?: number[];
  delivery: Delivery;
}

export interface WireReply {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
}

/** What came back: an answer, the connection closed with none, or nothing within the time allowed. */
export type WireOutcome =
  | { kind: 'answer'; reply: WireReply; wroteAll: boolean }
  | { kind: 'closed'; error?: string; wroteAll: boolean }
  | { kind: 'timeout'; wroteAll: boolean };

function chunked(body: Buffer, sizes: number[]): Buffer {
  const out: Buffer[] = [];
  let at = 0;
  for (const size of sizes) {
    if (at >= body.length) break;
    const piece = body.subarray(at, at + Math.max(1, size));
    out.push(Buffer.from(`${piece.length.toString(16)}\r\n`), piece, Buffer.from('\r\n'));
    at += piece.length;
  }
  if (at < body.length)
    out.push(Buffer.from(`${(body.length - at).toString(16)}\r\n`), body.subarray(at), Buffer.from('\r\n'));
  out.push(Buffer.from('0\r\n\r\n'));
  return Buffer.concat(out);
}

/** The request's bytes: the head and the framed body, and where the body starts. */
export function encodeRequest(request: WireRequest, host: string): { bytes: Buffer; bodyStart: number } {
  const lines = [`${request.method} ${request.target} HTTP/1.1`, `Host: ${host}`, 'Connection: close'];
  for (const [name, value] of request.headers) lines.push(`${name}: ${value}`);
  if (request.framing === 'length') lines.push(`Content-Length: ${request.body.length}`);
  if (request.framing === 'chunked') lines.push('Transfer-Encoding: chunked');
  const head = Buffer.from(lines.join('\r\n') + '\r\n\r\n', 'latin1');
  const body = request.framing === 'chunked' ? chunked(request.body, request.chunkSizes ?? []) : request.body;
  return { bytes: Buffer.concat([head, body]), bodyStart: head.length };
}

/** An HTTP/1.1 answer parsed from what arrived, or null while it is incomplete. */
export function parseReply(data: Buffer, closed: boolean): WireReply | null {
  const split = data.indexOf('\r\n\r\n');
  if (split < 0) return null;
  const [statusLine = '', ...headerLines] = data.subarray(0, split).toString('latin1').split('\r\n');
  const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(statusLine)?.[1] ?? 0);
  const headers: Record<string, string> = {};
  for (const line of headerLines) {
    const colon = line.indexOf(':');
    if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  const rest = data.subarray(split + 4);
  if (headers['content-length'] !== undefined) {
    const length = Number(headers['content-length']);
    return rest.length >= length ? { status, headers, body: rest.subarray(0, length) } : null;
  }
  if (/chunked/i.test(headers['transfer-encoding'] ?? '')) {
    const parts: Buffer[] = [];
    let at = 0;
    for (;;) {
      const eol = rest.indexOf('\r\n', at);
      if (eol < 0) return null;
      const size = parseInt(rest.subarray(at, eol).toString('latin1'), 16);
      if (Number.isNaN(size)) return { status, headers, body: Buffer.concat(parts) };
      if (size === 0) return { status, headers, body: Buffer.concat(parts) };
      if (rest.length < eol + 2 + size + 2) return null;
      parts.push(rest.subarray(eol + 2, eol + 2 + size));
      at = eol + 2 + size + 2;
    }
  }
  return closed ? { status, headers, body: rest } : null;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Sends the request over a plain socket (no client library fixing lengths or
 * encodings) as its delivery says (a cut keeps `keep` thousandths of the framed body),
 * reading all the while: an answer that comes before the body is all sent is kept.
 */
export function sendWire(baseUrl: string, request: WireRequest, timeoutMs: number): Promise<WireOutcome> {
  const url = new URL(baseUrl);
  const { bytes, bodyStart } = encodeRequest(request, url.host);
  return new Promise((resolve) => {
    const socket: Socket = connect(Number(url.port), url.hostname);
    const received: Buffer[] = [];
    let wroteAll = false;
    let settled = false;
    let socketError: string | undefined;
    const finish = (outcome: WireOutcome) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      resolve(outcome);
    };
    const timer = setTimeout(() => finish({ kind: 'timeout', wroteAll }), timeoutMs);
    const check = (closed: boolean) => {
      const reply = parseReply(Buffer.concat(received), closed);
      if (reply !== null && reply.status > 0) finish({ kind: 'answer', reply, wroteAll });
      else if (closed)
        finish({ kind: 'closed', wroteAll, ...(socketError === undefined ? {} : { error: socketError }) });
    };
    socket.on('data', (chunk: Buffer) => {
      received.push(chunk);
      check(false);
    });
    socket.on('end', () => check(true));
    socket.on('close', () => check(true));
    socket.on('error', (error: NodeJS.ErrnoException) => {
      socketError = error.code ?? error.message;
    });
    const write = (piece: Buffer) =>
      new Promise<void>((done) => {
        if (settled || socket.destroyed) return done();
        socket.write(piece, () => done());
      });
    const deliver = async () => {
      const { delivery } = request;
      if (delivery.kind === 'whole') {
        await write(bytes);
        wroteAll = true;
      } else if (delivery.kind === 'slow') {
        const body = bytes.subarray(bodyStart);
        await write(bytes.subarray(0, bodyStart));
        const step = Math.max(1, Math.ceil(body.length / delivery.pieces));
        for (let at = 0; at < body.length && !settled; at += step) {
          await sleep(delivery.pauseMs);
          await write(body.subarray(at, at + step));
        }
        wroteAll = !settled;
      } else {
        await write(bytes.subarray(0, bodyStart + Math.floor(((bytes.length - bodyStart) * delivery.keep) / 1000)));
        if (delivery.kind === 'cut-reset') {
          // let the server read what was sent before the connection goes
          await sleep(30);
          socket.resetAndDestroy();
          finish({ kind: 'closed', wroteAll: false });
        } else {
          socket.end();
        }
      }
    };
    socket.once('connect', () => void deliver());
  });
}
