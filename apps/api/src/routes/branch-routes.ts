import type { FastifyInstance } from 'fastify';
import { SluiceError } from '@sluice/core';
import type { AppServices } from '../app-services.js';
import { success } from '../oxen-envelope.js';
import type { RepoParams } from './workspace-routes.js';

interface NewBranchBody {
  new_name?: unknown;
  from_name?: unknown;
  commit_id?: unknown;
}

/** Branches (reference §2.3): a branch is `{name, commit_id}`. */
export function branchRoutes(app: FastifyInstance, { repos, objects }: AppServices): void {
  const base = '/api/repos/:namespace/:repo/branches';

  app.get<{ Params: RepoParams }>(base, async (request) => {
    const { namespace, repo } = request.params;
    await repos.require(namespace, repo);
    return success('resource_found', { branches: await repos.branches(namespace, repo) });
  });

  app.get<{ Params: RepoParams & { '*': string } }>(`${base}/*`, async (request) => {
    const { namespace, repo } = request.params;
    const name = request.params['*'];
    await repos.require(namespace, repo);
    const head = await repos.branchHead(namespace, repo, name);
    if (head === null) throw new SluiceError('branch_not_found', `Could not find branch: ${name}`);
    return success('resource_found', { branch: { name, commit_id: head } });
  });

  app.post<{ Params: RepoParams }>(base, async (request) => {
    const { namespace, repo } = request.params;
    await repos.require(namespace, repo);
    const body = (request.body ?? {}) as NewBranchBody;
    if (typeof body.new_name !== 'string' || body.new_name === '' || /[\u0000-\u001f]|\.\.|^\/|\/$/.test(body.new_name)) {
      throw new SluiceError('bad_request', 'Invalid request body: expected {"new_name", "from_name"} or {"new_name", "commit_id"}');
    }
    let commitId: string;
    if (typeof body.from_name === 'string') {
      const from = await repos.branchHead(namespace, repo, body.from_name);
      if (from === null) throw new SluiceError('branch_not_found', `Could not find branch: ${body.from_name}`);
      commitId = from;
    } else if (typeof body.commit_id === 'string') {
      commitId = (await objects.getCommit(body.commit_id)).id;
    } else {
      throw new SluiceError('bad_request', 'Invalid request body: expected {"new_name", "from_name"} or {"new_name", "commit_id"}');
    }
    const created = await repos.createBranch(namespace, repo, body.new_name, commitId);
    const branch = { name: body.new_name, commit_id: created ? commitId : (await repos.branchHead(namespace, repo, body.new_name))! };
    return success(created ? 'resource_created' : 'resource_found', { branch });
  });
}
