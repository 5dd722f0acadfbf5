import type { AppServices } from '../app-services.js';
import { success } from '../oxen-envelope.js';
import { commitView, repositoryView } from './views.js';
import type { TypedApp } from '../openapi/schema-kit.js';
import { createRepo, listRepos, deleteRepo, showRepo } from './repo-routes.schema.js';

/** Under `/api/repos`: what names no repository yet (creation, a namespace's list) and deletion. */
export function repoRoutes(app: TypedApp, { repos, eraser }: AppServices): void {
  // the one route whose namespace is in its body: bearer-auth.ts authorizes it once the body is parsed
  app.post('', { schema: createRepo, config: { namespaceInBody: true } }, async (request) => {
    const { namespace, name, files } = request.body;
    const { repo, latestCommit } = await repos.create(namespace, name, files ?? []);
    // Upstream answers a creation with `resource_found`.
    return success('resource_found', {
      repository: { ...repositoryView(repo), latest_commit: latestCommit && commitView(latestCommit) },
    });
  });

  app.get('/:namespace', { schema: listRepos }, async (request) => {
    const list = await repos.list(request.params.namespace);
    return success('resource_found', { repositories: list.map((repo) => repositoryView(repo)) });
  });

  // Outside the repository prefix, so without its lookup: a deletion cut short left no record, only its
  // mark, and this finishes it.
  app.delete('/:namespace/:repo', { schema: deleteRepo }, async (request) => {
    const { namespace, repo } = request.params;
    const unlinked = await eraser.erase(namespace, repo);
    request.log.info({ namespace, repo, keys: unlinked }, 'repository deleted');
    return success('resource_deleted');
  });
}

/** The repository itself, at the repository prefix (repository-routes.ts). */
export function showRepoRoute(app: TypedApp, { repos, objects }: AppServices): void {
  app.get('', { schema: showRepo }, async (request) => {
    const { namespace, repo: name } = request.params;
    const repo = request.repository;
    const branches = await repos.branches(namespace, name);
    const main = branches.find((b) => b.name === 'main') ?? branches[0];
    const head = main ? await objects.getCommit(main.commit_id) : null;
    const root = head ? await objects.readNode(head.root) : [];
    return success('resource_found', {
      repository: {
        ...repositoryView(repo),
        is_empty: branches.length === 0,
        size: root.reduce((sum, entry) => sum + entry.size, 0),
        data_types: [],
        branch_count: branches.length,
        latest_commit: head && commitView(head),
      },
    });
  });
}
