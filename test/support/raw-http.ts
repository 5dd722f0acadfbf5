import { connect } from 'node:net';

export interface RawReply {
  status: number;
  head: string;
  body: string;
}

/**
 * Writes bytes to the server exactly as given (no client library fixing lengths or encodings)
 * and reads until the server closes or answers; for malformed and hostile requests.
 */
export function rawRequest(
  baseUrl: string,
  data: Buffer | string,
  options: { endAfterWrite?: boolean; timeoutMs?: number } = {},
): Promise<RawReply> {
  const url = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(url.port), url.hostname);
    const chunks: Buffer[] = [];
    const finish = () => {
      const text = Buffer.concat(chunks).toString('utf8');
      const [head = '', ...rest] = text.split('\r\n\r\n');
      resolve({ status: Number(/^HTTP\/1\.1 (\d{3})/.exec(head)?.[1] ?? 0), head, body: rest.join('\r\n\r\n') });
    };
    socket.setTimeout(options.timeoutMs ?? 10_000, () => {
      socket.destroy();
      finish();
    });
    socket.on('data', (c: Buffer) => {
      chunks.push(c);
      // one response is enough: stop once a complete JSON body has arrived
      const text = Buffer.concat(chunks).toString('utf8');
      const length = Number(/content-length: (\d+)/i.exec(text)?.[1] ?? -1);
      const split = text.indexOf('\r\n\r\n');
      if (length >= 0 && split >= 0 && Buffer.byteLength(text.slice(split + 4)) >= length) {
        socket.destroy();
        finish();
      }
    });
    socket.on('end', finish);
    socket.on('error', (error) => (chunks.length > 0 ? finish() : reject(error)));
    socket.write(data);
    if (options.endAfterWrite) socket.end();
  });
}
