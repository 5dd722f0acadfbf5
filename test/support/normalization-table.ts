/**
 * docs/architecture.md#paths, the whole table: [URL directory, multipart filename, the staged path or the
 * reason it is refused]. The unit test of stagedPath and the HTTP test both run it.
 */
export const normalizationTable: ReadonlyArray<readonly [string, string, string | RegExp]> = [
  ['data', 'img.jpg', 'data/img.jpg'],
  ['data', 'train/img.jpg', 'data/train/img.jpg'],
  ['data', 'train/./img.jpg', 'data/train/img.jpg'],
  ['.', 'img.jpg', 'img.jpg'],
  ['', 'root.txt', 'root.txt'],
  ['data/', 'a.txt', 'data/a.txt'],
  ['data', 'a//b.txt', 'data/a/b.txt'],
  ['./data/./sub', 'f.bin', 'data/sub/f.bin'],
  ['data', '../escape.txt', /parent directory/],
  ['data', 'a/b/../c.txt', /parent directory/],
  ['data', '/abs.txt', /absolute/],
  ['/data', 'a.txt', /absolute/],
  ['a/../b', 'x.txt', /parent directory/],
  // its own directory: the HTTP test stages every row in one workspace, where a file `data`
  // would meet the directory `data/` of the rows above (409 path_conflict)
  ['lone', '', 'lone'],
  ['lone', '.', 'lone'],
  ['', '', /empty after normalization/],
  ['data', 'train\\img.jpg', 'data/train\\img.jpg'],
];
