import type { FastifyInstance } from 'fastify';
import { SluiceError } from '@sluice/core';
import type { AppServices } from '../app-services.js';
import { success } from '../oxen-envelope.js';
import type { RepoParams } from './workspace-routes.js';
import { routeDocs } from '../openapi/route-docs.js';

interface NewBranchBody {
  new_name?: unknown;
  from_name?: unknown;
  commit_id?: unknown;
}

const invalidBody = 'Invalid request body: expected {"new_name", "from_name"} or {"new_name", "commit_id"}';

/**
 * Branches (reference §2.3, §15.10): a branch is `{name, commit_id}`, and every commit it names
 * is one of this repository's. The stock client sends these bodies without a Content-Type.
 */
export function branchRoutes(app: FastifyInstance, { repos }: AppServices): void {
  const base = '/api/repos/:namespace/:repo/branches';

  app.get<{ Params: RepoParams }>(base, { config: { doc: routeDocs.list_branches } }, async (request) => {
    const { namespace, repo } = request.params;
    await repos.require(namespace, repo);
    return success('resource_found', { branches: await repos.branches(namespace, repo) });
  });

  app.get<{ Params: RepoParams & { '*': string } }>(`${base}/*`, { config: { doc: routeDocs.show_branch } }, async (request) => {
    const { namespace, repo } = request.params;
    const name = request.params['*'];
    await repos.require(namespace, repo);
    const head = await repos.branchHead(namespace, repo, name);
    if (head === null) throw new SluiceError('branch_not_found', `Could not find branch: ${name}`);
    return success('resource_found', { branch: { name, commit_id: head } });
  });

  app.post<{ Params: RepoParams }>(base, { config: { doc: routeDocs.create_branch } }, async (request) => {
    const { namespace, repo } = request.params;
    await repos.require(namespace, repo);
    const body = (request.body ?? {}) as NewBranchBody;
    if (typeof body.new_name !== 'string') throw new SluiceError('bad_request', invalidBody);
    let commitId: string;
    if (typeof body.from_name === 'string') {
      const from = await repos.branchHead(namespace, repo, body.from_name);
      if (from === null) throw new SluiceError('branch_not_found', `Could not find branch: ${body.from_name}`);
      commitId = from;
    } else if (typeof body.commit_id === 'string') {
      commitId = (await repos.requireCommit(namespace, repo, body.commit_id)).id;
    } else {
      throw new SluiceError('bad_request', invalidBody);
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
  app.put<{ Params: RepoParams & { '*': string } }>(`${base}/*`, { config: { doc: routeDocs.update_branch } }, async (request) => {
    const { namespace, repo } = request.params;
    const name = request.params['*'];
    await repos.require(namespace, repo);
    const commitId = (request.body as { commit_id?: unknown } | undefined)?.commit_id;
    if (typeof commitId !== 'string') throw new SluiceError('bad_request', 'Invalid request body: expected {"commit_id"}');
    await repos.moveBranch(namespace, repo, name, commitId);
    return success('resource_updated', { branch: { name, commit_id: commitId } });
  });
}
