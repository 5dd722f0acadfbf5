import { ClientError } from '../client-error.js';
import { Shown, type ReadContext } from './read-context.js';

// The server walks the history once per page: large pages, few walks.
const pageSize = 1000;

/** `sluice log <remote> [path] [--revision R]`: the commits that changed the path (all, for the root), newest first. */
export async function logCommand(ctx: ReadContext, path: string, revision: string): Promise<number> {
  await ctx.reads.requireRepo();
  const commit = await ctx.reads.commitOf(revision);
  const shown = new Shown(ctx.limit);
  let total = 0;
  for (let page = 1, pages = 1; page <= pages && !shown.full; page++) {
    const history = await ctx.reads.historyPage(commit.id, path, page, pageSize);
    pages = history.totalPages;
    total = history.totalEntries;
    for (const c of history.items) {
      if (!shown.take()) break;
      const subject = c.message.split('\n')[0];
      ctx.out(ctx.json ? JSON.stringify(c) : `${c.id}  ${c.timestamp}  ${c.author} <${c.email}>  ${subject}`);
    }
  }
  // no commit ever touched it: a mistyped path, said as one (a removed path still has the commit that removed it)
  if (total === 0 && path !== '')
    await ctx.reads.entryAt(commit.id, path).catch((error: unknown) => {
      throw error instanceof ClientError && error.code === 'path_not_found'
        ? new ClientError('path_not_found', `no commit up to ${revision} touched ${path}, and it is not there`, 404)
        : error;
    });
  if (ctx.json) return 0;
  ctx.out(
    shown.note(total, 'commits') ??
      `${total} commit(s) ${path === '' ? 'on' : `touched ${path} up to`} ${revision} (${commit.id})`,
  );
  return 0;
}
