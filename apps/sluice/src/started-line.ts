import type { Config } from '@sluice/core';

/** How a person reaches a listener: a wildcard address is reached on this machine as localhost. */
function reachable(host: string, port: number): string {
  if (host === '0.0.0.0' || host === '::' || host === '') return `http://localhost:${port}`;
  const name = host.includes(':') ? `[${host}]` : host;
  return `http://${name}:${port}`;
}

/**
 * Start-up's last line, the one a person reads: where to go (the page, the API), where the data
 * is and which Redis holds the rest. A worker-only process has no address to give.
 */
export function startedLine(config: Config, redis: string, port = config.port): string {
  const { store } = config;
  const data = store.kind === 'fs' ? `data in ${store.dataDir}` : `data in s3://${store.bucket} at ${store.endpoint}`;
  if (config.role === 'worker') return `sluice started (worker): ${data}; Redis: ${redis}`;
  const base = reachable(config.host, port);
  return `sluice started: open ${base}/ui (the API is ${base}/api); ${data}; Redis: ${redis}`;
}
