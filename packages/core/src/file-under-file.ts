/**
 * The first path of `paths` that lies under another of them, with that other path: in one batch
 * of files, a file cannot also be a directory. Null when none does. Pure and path-only, so a
 * caller can refuse a batch before it reads or stores a byte of it.
 */
export function fileUnderFile(paths: Iterable<string>): { path: string; file: string } | null {
  const files = new Set(paths);
  for (const path of files) {
    for (let at = path.indexOf('/'); at !== -1; at = path.indexOf('/', at + 1)) {
      const dir = path.slice(0, at);
      if (files.has(dir)) return { path, file: dir };
    }
  }
  return null;
}
