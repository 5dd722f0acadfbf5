import { stagedPage } from '../repo-reads.js';
import type { SluiceClient } from '../sluice-client.js';
import { Shown } from './read-context.js';

// as large as the server's changes route serves comfortably: it reads the whole stage for every page
const pageSize = 10_000;

/**
 * `sluice status`: the counts of what a workspace has staged, then each staged path with its
 * status, a page at a time; `--limit` stops after that many paths.
 */
export async function statusCommand(
  client: SluiceClient,
  ns: string,
  repo: string,
  workspaceId: string,
  options: { json: boolean; limit: number | null; out: (line: string) => void },
): Promise<number> {
  const shown = new Shown(options.limit);
  let total = 0;
  for (let page = 1, pages = 1; page <= pages && !shown.full; page++) {
    const staged = await stagedPage(client, ns, repo, workspaceId, page, pageSize);
    pages = staged.totalPages;
    total = staged.totalEntries;
    if (page === 1 && !options.json) {
      options.out(
        `workspace ${workspaceId}: ${staged.added + staged.modified} file(s) staged, ${staged.removed} removal(s)`,
      );
    }
    for (const entry of staged.items) {
      if (!shown.take()) break;
      options.out(options.json ? JSON.stringify(entry) : `  ${entry.status.padEnd(8)}  ${entry.path}`);
    }
  }
  const note = options.json ? null : shown.note(total, 'paths');
  if (note) options.out(`  ${note}`);
  return 0;
}
