import type { FastifyInstance } from 'fastify';
import { SluiceError } from '@sluice/core';
import type { AppServices } from '../app-services.js';
import { success } from '../oxen-envelope.js';
import type { CreateBranchBody, UpdateBranchBody } from '@sluice/protocol';
import type { RepoParams } from './workspace-routes.js';
import { routeSchemas } from '../openapi/route-schemas.js';

/**
 * Branches (reference §2.3, §15.10): a branch is `{name, commit_id}`, and every commit it names
 * is one of this repository's. The stock client sends these bodies without a Content-Type.
 */
export function branchRoutes(app: FastifyInstance, { repos }: AppServices): void {
  const base = '/api/repos/:namespace/:repo/branches';

  app.get<{ Params: RepoParams }>(base, { schema: routeSchemas.list_branches }, async (request) => {
    const { namespace, repo } = request.params;
    return success('resource_found', { branches: await repos.branches(namespace, repo) });
  });

  app.get<{ Params: RepoParams & { '*': string } }>(`${base}/*`, { schema: routeSchemas.show_branch }, async (request) => {
    const { namespace, repo } = request.params;
    const name = request.params['*'];
    const head = await repos.branchHead(namespace, repo, name);
    if (head === null) throw new SluiceError('branch_not_found', `Could not find branch: ${name}`);
    return success('resource_found', { branch: { name, commit_id: head } });
  });

  app.post<{ Params: RepoParams; Body: CreateBranchBody }>(base, { schema: routeSchemas.create_branch }, async (request) => {
    const { namespace, repo } = request.params;
    const body = request.body;
    let commitId: string;
    if (body.from_name !== undefined) {
      const from = await repos.branchHead(namespace, repo, body.from_name);
      if (from === null) throw new SluiceError('branch_not_found', `Could not find branch: ${body.from_name}`);
      commitId = from;
    } else if (body.commit_id !== undefined) {
      commitId = (await repos.requireCommit(namespace, repo, body.commit_id)).id;
    } else {
      throw new SluiceError('bad_request', 'Invalid request body: expected {"new_name", "from_name"} or {"new_name", "commit_id"}');
    }
    if (await repos.createBranch(namespace, repo, body.new_name, commitId)) {
      return success('resource_created', { branch: { name: body.new_name, commit_id: commitId } });
    }
    // Upstream answers an existing branch as found; one at another commit than asked is not what
    // the caller wanted, and telling it "success" would hide that.
    const existing = (await repos.branchHead(namespace, repo, body.new_name))!;
    if (existing !== commitId) {
      throw new SluiceError('branch_exists', `Branch '${body.new_name}' already exists at commit ${existing}, not ${commitId}`, {
        fields: { branch: { name: body.new_name, commit_id: existing } },
      });
    }
    return success('resource_found', { branch: { name: body.new_name, commit_id: existing } });
  });

  // The client's branch update: `{"commit_id"}`, sent without a Content-Type.
  app.put<{ Params: RepoParams & { '*': string }; Body: UpdateBranchBody }>(`${base}/*`, { schema: routeSchemas.update_branch }, async (request) => {
    const { namespace, repo } = request.params;
    const name = request.params['*'];
    const commitId = request.body.commit_id;
    await repos.moveBranch(namespace, repo, name, commitId);
    return success('resource_updated', { branch: { name, commit_id: commitId } });
  });
}
