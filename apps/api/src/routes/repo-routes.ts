import type { FastifyInstance } from 'fastify';
import { SluiceError } from '@sluice/core';
import type { InitialFile } from '@sluice/index';
import type { AppServices } from '../app-services.js';
import { success } from '../oxen-envelope.js';
import { commitView, repositoryView } from './views.js';
import { routeDocs } from '../openapi/route-docs.js';

interface RepoParams {
  namespace: string;
  repo: string;
}

interface RepoNewBody {
  namespace?: unknown;
  name?: unknown;
  files?: unknown;
}

function initialFiles(value: unknown): InitialFile[] {
  if (value === undefined || value === null) return [];
  const valid = Array.isArray(value) && value.every((f) => typeof f?.path === 'string' && typeof f?.contents === 'string');
  if (!valid) throw new SluiceError('bad_request', '`files` must be a list of {path, contents, user}');
  return value as InitialFile[];
}

export function repoRoutes(app: FastifyInstance, { repos, objects }: AppServices): void {
  app.post<{ Body: RepoNewBody }>('/api/repos', { config: { doc: routeDocs.create_repo } }, async (request) => {
    const body = request.body;
    if (typeof body !== 'object' || body === null) throw new SluiceError('invalid_json', 'Invalid JSON: expected {"namespace", "name"}');
    const { repo, latestCommit } = await repos.create(body.namespace as string, body.name as string, initialFiles(body.files));
    // Upstream answers a creation with `resource_found`.
    return success('resource_found', { repository: repositoryView(repo, { latest_commit: latestCommit && commitView(latestCommit) }) });
  });

  app.get<{ Params: { namespace: string } }>('/api/repos/:namespace', { config: { doc: routeDocs.list_repos } }, async (request) => {
    const list = await repos.list(request.params.namespace);
    return success('resource_found', { repositories: list.map((repo) => repositoryView(repo)) });
  });

  app.get<{ Params: RepoParams }>('/api/repos/:namespace/:repo', { config: { doc: routeDocs.show_repo } }, async (request) => {
    const { namespace, repo: name } = request.params;
    const repo = await repos.require(namespace, name);
    const branches = await repos.branches(namespace, name);
    const main = branches.find((b) => b.name === 'main') ?? branches[0];
    const head = main ? await objects.getCommit(main.commit_id) : null;
    const root = head ? await objects.readNode(head.root) : [];
    return success('resource_found', {
      repository: repositoryView(repo, {
        is_empty: branches.length === 0,
        size: root.reduce((sum, entry) => sum + entry.size, 0),
        data_types: [],
        branch_count: branches.length,
        latest_commit: head && commitView(head),
      }),
    });
  });
}
