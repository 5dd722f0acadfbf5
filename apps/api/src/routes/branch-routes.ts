import { assertBranchName, SluiceError } from '@sluice/core';
import type { AppServices } from '../app-services.js';
import { success } from '../oxen-envelope.js';
import type { Answer, TypedApp } from '../openapi/schema-kit.js';
import { listBranches, showBranch, createBranch, deleteBranch, updateBranch } from './branch-routes.schema.js';

/**
 * Branches (docs/architecture.md#repositories-branches-and-workspaces; the client's requests: docs/api.md):
 * a branch is `{name, commit_id}`, and every commit it names is one of this repository's. The stock
 * client sends these bodies without a Content-Type.
 */
export function branchRoutes(app: TypedApp, { repos }: AppServices): void {
  const base = '/branches';

  app.get(base, { schema: listBranches }, async (request) => {
    const { namespace, repo } = request.params;
    return success('resource_found', { branches: await repos.branches(namespace, repo) });
  });

  app.get(`${base}/*`, { schema: showBranch }, async (request) => {
    const { namespace, repo } = request.params;
    const name = request.params['*'];
    const head = await repos.branchHead(namespace, repo, name);
    if (head === null) throw new SluiceError('branch_not_found', `Could not find branch: ${name}`);
    return success('resource_found', { branch: { name, commit_id: head } });
  });

  /** Creates the branch at the commit; one that exists already is found, if it is at that commit. */
  const created = async (
    namespace: string,
    repo: string,
    name: string,
    commitId: string,
  ): Promise<Answer<typeof createBranch>> => {
    if (await repos.createBranch(namespace, repo, name, commitId)) {
      return success('resource_created', { branch: { name, commit_id: commitId } });
    }
    // Upstream errs on any existing name given with a commit id; the same commit is what the
    // caller asked for, so it is found. Another commit is a conflict: the branch is not moved.
    const existing = (await repos.branchHead(namespace, repo, name))!;
    if (existing !== commitId) {
      throw new SluiceError('branch_exists', `Branch '${name}' already exists at commit ${existing}, not ${commitId}`, {
        fields: { branch: { name, commit_id: existing } },
      });
    }
    return success('resource_found', { branch: { name, commit_id: existing } });
  };

  // Upstream reads the body as `{new_name, from_name}` first, then as `{new_name, commit_id}`: a
  // `from_name` that is not a string falls through to the commit, unknown fields are ignored.
  app.post(base, { schema: createBranch }, async (request) => {
    const { namespace, repo } = request.params;
    const { new_name: name, from_name: fromName, commit_id: commitIdAsked } = request.body;
    // the name first: a name no branch may have is refused whatever it would be made from
    assertBranchName(name);
    if (typeof fromName === 'string') {
      // Get or create, as upstream: clients create "from main" whatever the name already holds.
      const existing = await repos.branchHead(namespace, repo, name);
      if (existing !== null) return success('resource_found', { branch: { name, commit_id: existing } });
      const from = await repos.branchHead(namespace, repo, fromName);
      if (from === null) throw new SluiceError('branch_not_found', `Could not find branch: ${fromName}`);
      return created(namespace, repo, name, from);
    }
    if (typeof commitIdAsked === 'string') {
      return created(namespace, repo, name, (await repos.requireCommit(namespace, repo, commitIdAsked)).id);
    }
    throw new SluiceError(
      'bad_request',
      'Invalid request body: expected {"new_name", "from_name"} or {"new_name", "commit_id"}',
    );
  });

  // Upstream answers the deleted branch; the client reads only the status.
  app.delete(`${base}/*`, { schema: deleteBranch }, async (request) => {
    const { namespace, repo } = request.params;
    return success('resource_deleted', { branch: await repos.deleteBranch(namespace, repo, request.params['*']) });
  });

  // The client's branch update: `{"commit_id"}`, sent without a Content-Type. A path ending in
  // `/merge` is the push's merge instead (merkle-routes.ts), as upstream routes it.
  app.put(`${base}/*`, { schema: updateBranch }, async (request) => {
    const { namespace, repo } = request.params;
    const name = request.params['*'];
    const commitId = request.body.commit_id;
    await repos.moveBranch(namespace, repo, name, commitId);
    return success('resource_updated', { branch: { name, commit_id: commitId } });
  });
}
