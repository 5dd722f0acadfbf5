import { ClientError } from './client-error.js';

export interface Remote {
  /** The server, e.g. http://127.0.0.1:3000 */
  baseUrl: string;
  namespace: string;
  repo: string;
}

/** `http://host:3000/ns/name` (as the Oxen CLI writes remotes) into the server and the repository. */
export function parseRemote(text: string): Remote {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new ClientError('bad_remote', `remote ${text}: expected http(s)://host[:port]/namespace/name`);
  }
  const segments = url.pathname.split('/').filter(Boolean);
  if (!/^https?:$/.test(url.protocol) || segments.length !== 2) {
    throw new ClientError('bad_remote', `remote ${text}: expected http(s)://host[:port]/namespace/name`);
  }
  return { baseUrl: url.origin, namespace: decodeURIComponent(segments[0]!), repo: decodeURIComponent(segments[1]!) };
}
