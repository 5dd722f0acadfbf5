import type { DirEntry } from '../repo-reads.js';
import { Shown, type ReadContext } from './read-context.js';

const pageSize = 1000;

function line(entry: DirEntry, path: string): string {
  return `${entry.isDir ? 'dir ' : 'file'}  ${String(entry.size).padStart(12)}  ${path}${entry.isDir ? '/' : ''}`;
}

/**
 * `sluice ls <remote> [path] [--revision R]`: a directory's entries (type, size in bytes, name) at
 * a revision, fetched a page at a time and printed as they come; a file path shows the file.
 */
export async function lsCommand(ctx: ReadContext, path: string, revision: string): Promise<number> {
  await ctx.reads.requireRepo();
  const commit = await ctx.reads.commitOf(revision);
  const shown = new Shown(ctx.limit);
  const totals = { dirs: 0, files: 0, bytes: 0, entries: 0 };
  const print = (entry: DirEntry, name: string) => {
    totals.entries++;
    totals[entry.isDir ? 'dirs' : 'files']++;
    totals.bytes += entry.size;
    if (!shown.take()) return;
    ctx.out(
      ctx.json
        ? JSON.stringify({ path: name, type: entry.isDir ? 'dir' : 'file', size: entry.size, hash: entry.hash })
        : line(entry, name),
    );
  };
  let total = 0;
  for (let page = 1, pages = 1; page <= pages && !shown.full; page++) {
    const listing = await ctx.reads.dirPage(commit.id, path, page, pageSize);
    if (!listing.isDir) {
      const file = await ctx.reads.entryAt(commit.id, path);
      print(file, path);
      total = 1;
      break;
    }
    pages = listing.totalPages;
    total = listing.totalEntries;
    for (const entry of listing.items) print(entry, entry.name);
  }
  if (ctx.json) return 0;
  const note = shown.note(total, 'entries');
  if (note) ctx.out(note);
  else
    ctx.out(
      `${total} entr${total === 1 ? 'y' : 'ies'}: ${totals.dirs} dir(s), ${totals.files} file(s), ` +
        `${totals.bytes} bytes ` +
        `at ${revision} (${commit.id})`,
    );
  return 0;
}
