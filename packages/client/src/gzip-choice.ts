/** How a push compresses its small files: `auto` decides by where the server is. */
export type GzipMode = 'auto' | 'always' | 'never';

export const gzipModes: readonly GzipMode[] = ['auto', 'always', 'never'];

/**
 * Whether parts are gzipped. To a server on this machine the bytes cost nothing to move and compressing
 * them costs the CPU the server needs; over a network, level-1 gzip shrinks dataset text several times for
 * little CPU, which is what a slower link wants (bench/README.md, "Measurements behind code comments").
 */
export function gzipParts(mode: GzipMode, baseUrl: string): boolean {
  if (mode !== 'auto') return mode === 'always';
  const host = new URL(baseUrl).hostname.replace(/^\[|\]$/g, '');
  const loopback = host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
  return !loopback;
}
