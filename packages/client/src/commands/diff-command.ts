import type { TreeChangeView } from '@sluice/protocol';
import { Shown, type ReadContext } from './read-context.js';

const pageSize = 1000;

function line(change: TreeChangeView): string {
  const sizes =
    change.status === 'modified'
      ? `${change.base!.size} -> ${change.head!.size}`
      : String((change.head ?? change.base)!.size);
  return `${change.status.padEnd(8)}  ${sizes.padStart(12)}  ${change.path}`;
}

/**
 * `sluice diff <remote> <rev-a> <rev-b> [path]`: the files added, modified and removed from a to b,
 * a page at a time through the server's tree comparison (GET R/compare/trees).
 */
export async function diffCommand(ctx: ReadContext, revA: string, revB: string, path: string): Promise<number> {
  await ctx.reads.requireRepo();
  const [a, b] = [await ctx.reads.commitOf(revA), await ctx.reads.commitOf(revB)];
  const shown = new Shown(ctx.limit);
  const counts = { added: 0, modified: 0, removed: 0 };
  let after: string | null = null;
  do {
    const page: { items: TreeChangeView[]; nextAfter: string | null } = await ctx.reads.comparePage(
      a.id,
      b.id,
      path,
      after,
      pageSize,
    );
    for (const change of page.items) {
      counts[change.status]++;
      if (shown.take()) ctx.out(ctx.json ? JSON.stringify(change) : line(change));
    }
    after = page.nextAfter;
  } while (after !== null && !shown.full);
  if (ctx.json) return 0;
  const total = counts.added + counts.modified + counts.removed;
  if (shown.full && after !== null) ctx.out(`… more changes not shown (--limit ${ctx.limit})`);
  else
    ctx.out(
      `${total === 0 ? 'no differences: ' : ''}${counts.added} added, ${counts.modified} modified, ` +
        `${counts.removed} removed` +
        ` from ${revA} (${a.id.slice(0, 12)}) to ${revB} (${b.id.slice(0, 12)})${path === '' ? '' : ` under ${path}`}`,
    );
  return 0;
}
