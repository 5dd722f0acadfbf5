import { join } from 'node:path';
import { TokenStore, type Access } from '@sluice/api';
import { oxenHash } from '@sluice/core';
import { send, upload, type Reply } from '../support/oxen-http.js';
import { tempDir } from '../support/temp-dirs.js';

/**
 * Who sends a request: alpha's writer, alpha's reader, beta's writer
 * (the wrong namespace for alpha), nobody, or a made-up token.
 */
export type TokenChoice = 'own' | 'reader' | 'other' | 'none' | 'invalid';

export const tokenScopes: Record<'own' | 'reader' | 'other', Record<string, Access>> = {
  own: { alpha: 'write' },
  reader: { alpha: 'read' },
  other: { beta: 'write' },
};

/**
 * Two tenants, as test/tenancy.test.ts sets them up: alpha owns `alpha/mine` (two commits, a
 * branch `dev`, workspace `wa` with a staged file, a finished job), beta owns `beta/secrets`. The
 * fuzzer mostly sends alpha's token to alpha's routes, so requests reach the handlers, and knows
 * every id of both, so its values get past the lookups.
 */
export interface Fixture {
  tokensFile: string;
  tokens: Record<TokenChoice, string | null>;
  alphaCommit: string;
  alphaHash: string;
  alphaJob: string;
  betaCommit: string;
  betaHash: string;
  betaJob: string;
}

export function makeTokens(): { tokensFile: string; tokens: Record<TokenChoice, string | null> } {
  const tokensFile = join(tempDir('sluice-fuzz-tokens-'), 'tokens.json');
  return {
    tokensFile,
    tokens: {
      own: TokenStore.create(tokensFile, 'alpha', tokenScopes.own),
      reader: TokenStore.create(tokensFile, 'alpha-reader', tokenScopes.reader),
      other: TokenStore.create(tokensFile, 'beta', tokenScopes.other),
      none: null,
      invalid: 'sluice_made-up-token',
    },
  };
}

export function authHeader(token: string | null): Record<string, string> {
  return token === null ? {} : { authorization: `Bearer ${token}` };
}

async function call(base: string, token: string, method: string, path: string, body?: unknown): Promise<Reply> {
  const reply = await send(base, method, path, {
    headers: { ...authHeader(token), ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  if (reply.status !== 200) throw new Error(`fixture: ${method} ${path} answered ${reply.status}: ${reply.body}`);
  return reply;
}

export async function tenant(
  base: string,
  token: string,
  ns: string,
  repo: string,
  secret: string,
): Promise<{ commit: string; job: string }> {
  const R = `/api/repos/${ns}/${repo}`;
  await call(base, token, 'POST', '/api/repos', {
    namespace: ns,
    name: repo,
    files: [{ path: 'a.txt', contents: secret }],
  });
  await call(base, token, 'PUT', `${R}/workspaces`, { workspace_id: 'w1', branch_name: 'main' });
  const staged = await upload(
    base,
    `${R}/workspaces/w1/files/d`,
    [{ filename: 'x.txt', content: `${secret}x`, gzip: true }],
    { ...authHeader(token), prefer: 'respond-async', 'idempotency-key': 'fixture' },
  );
  const job = staged.headers['x-sluice-job-id'] as string;
  for (let i = 0; ; i++) {
    const state = (await call(base, token, 'GET', staged.headers.location as string)).json().job?.state;
    if (state === 'completed') break;
    if (state === 'failed' || i > 600) throw new Error(`fixture: job ${job} ${state}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  const commit = (
    await call(base, token, 'POST', `${R}/workspaces/w1/commit/main`, {
      message: 'two',
      author: 'f',
      email: 'f@example.com',
    })
  ).json().commit.id;
  await call(base, token, 'POST', `${R}/branches`, { new_name: 'dev', from_name: 'main' });
  return { commit, job };
}

export async function buildFixture(
  base: string,
  tokens: Record<TokenChoice, string | null>,
  tokensFile: string,
): Promise<Fixture> {
  const beta = await tenant(base, tokens.other!, 'beta', 'secrets', 'PIN=4321\n');
  const alpha = await tenant(base, tokens.own!, 'alpha', 'mine', 'alpha\n');
  await ensureWorkspace(base, tokens.own!);
  return {
    tokensFile,
    tokens,
    alphaCommit: alpha.commit,
    alphaHash: await oxenHash('alpha\n'),
    alphaJob: alpha.job,
    betaCommit: beta.commit,
    betaHash: await oxenHash('PIN=4321\n'),
    betaJob: beta.job,
  };
}

/** Alpha's workspace `wa` with one staged file: made again when a fuzzed request deleted or emptied it. */
export async function ensureWorkspace(base: string, token: string): Promise<void> {
  await call(base, token, 'PUT', '/api/repos/alpha/mine/workspaces', { workspace_id: 'wa', branch_name: 'main' });
  // a fuzzed DELETE may have taken the branch `dev`: made again (found when it is there)
  await call(base, token, 'POST', '/api/repos/alpha/mine/branches', { new_name: 'dev', from_name: 'main' });
  const R = '/api/repos/alpha/mine/workspaces/wa';
  let reply = await upload(base, `${R}/files/s`, [{ filename: 'staged.txt', content: 'staged\n' }], authHeader(token));
  // A job an earlier case queued (a commit of the unnamed workspace wa, say) may take the
  // workspace away after it was made again: made once more, a few times at most.
  for (let i = 0; reply.status === 404 && i < 5; i++) {
    await new Promise((resolve) => setTimeout(resolve, 200));
    await call(base, token, 'PUT', '/api/repos/alpha/mine/workspaces', { workspace_id: 'wa', branch_name: 'main' });
    reply = await upload(base, `${R}/files/s`, [{ filename: 'staged.txt', content: 'staged\n' }], authHeader(token));
  }
  if (reply.status !== 200) throw new Error(`fixture: upload answered ${reply.status}: ${reply.body}`);
}
