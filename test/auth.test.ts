import { spawnSync } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSluice, type SluiceProcess } from './support/sluice-process.js';
import { repoRoot } from './support/repo-root.js';
import { testEnv } from './support/test-env.js';
import { send, upload } from './support/oxen-http.js';
import { tempDir } from './support/temp-dirs.js';

describe('bearer tokens with per-namespace scopes (SLUICE_AUTH=on)', () => {
  const tokensFile = join(tempDir('sluice-auth-'), 'tokens.json');
  const createToken = (name: string, ...scopes: string[]) => {
    const result = spawnSync(
      process.execPath,
      [
        join(repoRoot(), 'apps/sluice/dist/main.js'),
        'token',
        'create',
        '--name',
        name,
        ...scopes.flatMap((s) => ['--scope', s]),
      ],
      {
        env: { PATH: process.env.PATH, SLUICE_AUTH_TOKENS_FILE: tokensFile },
        encoding: 'utf8',
      },
    );
    expect(result.status, result.stderr).toBe(0);
    return result.stdout.trim();
  };
  let sluice: SluiceProcess;
  let writer: string, reader: string, outsider: string, admin: string;
  const as = (token: string | null, extra: Record<string, string> = {}) => ({
    headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...extra },
  });
  const json = (token: string) => as(token, { 'content-type': 'application/json' });

  beforeAll(async () => {
    writer = createToken('ci', 'ox:write');
    reader = createToken('viewer', 'ox:read');
    outsider = createToken('other-team', 'other:admin');
    admin = createToken('ops', '*:admin');
    sluice = await startSluice({ ...testEnv('fs').env, SLUICE_AUTH: 'on', SLUICE_AUTH_TOKENS_FILE: tokensFile });
  });
  afterAll(async () => sluice?.stop());

  it('lets health and version through without a token', async () => {
    expect((await send(sluice.url, 'GET', '/api/health')).status).toBe(200);
    expect((await send(sluice.url, 'GET', '/api/version')).status).toBe(200);
  });

  it('answers 401 in the envelope without a valid token', async () => {
    const none = await send(sluice.url, 'GET', '/api/repos/ox');
    expect(none.status).toBe(401);
    expect(none.headers['www-authenticate']).toBe('Bearer');
    expect(none.json()).toMatchObject({ status: 'error', status_message: 'unauthorized' });
    expect((await send(sluice.url, 'GET', '/api/repos/ox', as(`${writer}x`))).status).toBe(401);
    expect((await send(sluice.url, 'GET', '/api/repos/ox', { headers: { authorization: writer } })).status).toBe(401);
  });

  it('grants what the scopes say, per namespace, and answers 403 otherwise', async () => {
    const body = JSON.stringify({ namespace: 'ox', name: 'guarded' });
    expect((await send(sluice.url, 'POST', '/api/repos', { ...json(reader), body })).status).toBe(403);
    expect((await send(sluice.url, 'POST', '/api/repos', { ...json(outsider), body })).status).toBe(403);
    expect((await send(sluice.url, 'POST', '/api/repos', { ...json(writer), body })).status).toBe(200);
    const ws = { ...json(writer), body: JSON.stringify({ workspace_id: 'w', branch_name: 'main' }) };
    expect((await send(sluice.url, 'PUT', '/api/repos/ox/guarded/workspaces', ws)).status).toBe(200);

    const files = [{ filename: 'a.txt', content: 'a' }];
    expect(
      (await upload(sluice.url, '/api/repos/ox/guarded/workspaces/w/files/d', files, as(reader).headers)).status,
    ).toBe(403);
    const accepted = await upload(
      sluice.url,
      '/api/repos/ox/guarded/workspaces/w/files/d',
      files,
      as(writer, { prefer: 'respond-async' }).headers,
    );
    expect(accepted.status).toBe(202);
    expect((await send(sluice.url, 'GET', '/api/repos/ox/guarded/workspaces/w/changes', as(reader))).status).toBe(200);
    expect((await send(sluice.url, 'GET', '/api/repos/ox/guarded/workspaces/w/changes', as(outsider))).status).toBe(
      403,
    );
    // a job is read with the scopes of its namespace
    const location = accepted.headers.location as string;
    expect((await send(sluice.url, 'GET', location, as(reader))).status).toBe(200);
    // one the token may not read is answered as one that does not exist
    expect((await send(sluice.url, 'GET', location, as(outsider))).json()).toMatchObject({
      status: 'error',
      error: { type: 'job_not_found' },
    });
    // the API document and the dashboard page (which asks for a token) are public, like health and version
    expect((await send(sluice.url, 'GET', '/api/_spec/oxen_server_openapi.json')).status).toBe(200);
    expect((await send(sluice.url, 'GET', '/ui')).status).toBe(200);
    expect((await send(sluice.url, 'GET', '/swagger-ui/')).status).toBe(200);
    // a caller without the scope learns nothing of what exists: 403 before any 404
    expect(
      (await send(sluice.url, 'GET', '/api/repos/ox/no-such-repo/workspaces/w/changes', as(outsider))).status,
    ).toBe(403);
    expect((await send(sluice.url, 'GET', '/api/repos/ox/no-such-repo/workspaces/w/changes', as(reader))).status).toBe(
      404,
    );
    // the stats, the metrics and the dashboards tell about every namespace: they need admin
    for (const path of ['/api/stats', '/metrics', '/api/dashboard', '/admin/queues']) {
      expect((await send(sluice.url, 'GET', path)).status, path).toBe(401);
      expect((await send(sluice.url, 'GET', path, as(writer))).status, path).toBe(403);
      expect((await send(sluice.url, 'GET', path, as(admin))).status, path).toBe(200);
    }
  });

  it('stores tokens hashed, readable by the owner only, and never logs them', () => {
    const stored = readFileSync(tokensFile, 'utf8');
    for (const token of [writer, reader, outsider, admin]) {
      expect(stored).not.toContain(token);
      expect(sluice.output()).not.toContain(token);
    }
    expect(JSON.parse(stored).map((t: { name: string }) => t.name)).toEqual(['ci', 'viewer', 'other-team', 'ops']);
    expect(statSync(tokensFile).mode & 0o777).toBe(0o600);
  });

  it('refuses to start with auth on and no tokens file', () => {
    const result = spawnSync(process.execPath, [join(repoRoot(), 'apps/sluice/dist/main.js')], {
      env: {
        PATH: process.env.PATH,
        SLUICE_AUTH: 'on',
        SLUICE_AUTH_TOKENS_FILE: '/nonexistent/tokens.json',
        SLUICE_REDIS_URL: 'redis://127.0.0.1:1',
      },
      encoding: 'utf8',
      timeout: 20_000,
    });
    expect(result.status).not.toBe(0);
    expect(result.stderr).toMatch(/tokens file/);
  });
});
