/**
 * `attachment` with a file name as RFC 6266 wants it: a plain `filename` that every client reads
 * (ASCII only; other characters, quotes and backslashes become `_`), then `filename*` with the
 * name in UTF-8, percent-encoded as RFC 5987 allows, which clients that know it prefer.
 */
export function contentDisposition(filename: string): string {
  const fallback = [...filename].map((c) => (/^[\x20-\x7e]$/.test(c) && c !== '"' && c !== '\\' ? c : '_')).join('');
  const hex = (c: string) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`;
  const encoded = encodeURIComponent(filename).replace(/['()*]/g, hex);
  return `attachment; filename="${fallback}"; filename*=UTF-8''${encoded}`;
}
