import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Validator } from '@seriousme/openapi-schema-validator';
import { Type } from 'typebox';
import { buildApp, routeSchemas, specPath, type AppServices } from '@sluice/api';
import { createServices } from '@sluice/sluice';
import { loadConfig } from '@sluice/core';
import { startSluice, type SluiceProcess } from './support/sluice-process.js';
import { testEnv } from './support/test-env.js';
import { send } from './support/oxen-http.js';

type Operation = {
  operationId: string;
  parameters?: Array<{ name: string; in: string }>;
  requestBody?: { content: Record<string, unknown> };
  responses: Record<string, unknown>;
};
type Document = { openapi: string; paths: Record<string, Record<string, Operation>> };

/** Pinned: a schema beside its handler that no route registers, or a route gone, shows here by name. */
const operationIds = [
  'action',
  'action_get',
  'add',
  'batch_upload',
  'begin_version_upload',
  'commit',
  'commit_deprecated',
  'compare_trees',
  'complete_chunked_upload',
  'complete_commit',
  'create_branch',
  'create_chunked_upload',
  'create_repo',
  'dashboard',
  'delete_branch',
  'delete_repo',
  'delete_workspace',
  'download_versions',
  'get_archive',
  'get_chunk',
  'get_file',
  'get_job',
  'get_meta',
  'get_or_create_workspace',
  'get_or_create_workspace_post',
  'get_revision',
  'get_workspace',
  'get_workspace_file',
  'health',
  'list_branches',
  'list_changes',
  'list_commit_history',
  'list_dir',
  'list_repos',
  'list_root',
  'list_workspaces',
  'merge_pushed_commit',
  'mergeability',
  'merkle_tree_read',
  'merkle_tree_write',
  'metrics',
  'min_version',
  'mv',
  'ready',
  'rm_files',
  'rm_files_versions',
  'show_branch',
  'show_commit',
  'show_repo',
  'stage_hashes',
  'stats',
  'ui',
  'unstage',
  'unstage_file',
  'unstage_many',
  'unstage_many_staged',
  'update_branch',
  'upload_chunk',
  'upload_version_part',
  'validate',
  'version',
  'version_metadata',
];

describe('the OpenAPI document', () => {
  let sluice: SluiceProcess;
  let spec: Document;
  beforeAll(async () => {
    sluice = await startSluice(testEnv('fs').env);
    const reply = await send(sluice.url, 'GET', specPath);
    expect(reply.status).toBe(200);
    spec = reply.json() as Document;
  });
  afterAll(async () => sluice?.stop());

  it('is valid OpenAPI 3.1', async () => {
    expect(spec.openapi).toBe('3.1.0');
    const result = await new Validator().validate(spec as unknown as Record<string, unknown>);
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
  });

  it('describes the add-files operation as the Oxen document does, with the sluice extensions', () => {
    const add = spec.paths['/api/repos/{namespace}/{repo_name}/workspaces/{workspace_id}/files/{path}']?.post;
    expect(add?.operationId).toBe('add');
    const inPath = add!.parameters!.filter((p) => p.in === 'path').map((p) => p.name);
    expect(inPath.sort()).toEqual(['namespace', 'path', 'repo_name', 'workspace_id']);
    expect(Object.keys(add!.requestBody!.content)).toEqual(['multipart/form-data']);
    expect(Object.keys(add!.responses)).toEqual(expect.arrayContaining(['200', '400', '404', '202']));
    const headers = add!.parameters!.filter((p) => p.in === 'header').map((p) => p.name);
    expect(headers).toEqual(expect.arrayContaining(['prefer', 'idempotency-key']));
    expect(spec.paths['/api/jobs/{job_id}']?.get?.operationId).toBe('get_job');
  });

  it('has one operation, with responses, for every documented route', () => {
    const operations = Object.values(spec.paths).flatMap((methods) => Object.values(methods));
    expect(operations.map((o) => o.operationId).sort()).toEqual(operationIds);
    for (const operation of operations)
      expect(Object.keys(operation.responses).length, operation.operationId).toBeGreaterThan(0);
    const ids = operations.map((o) => o.operationId);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('serves Swagger UI', async () => {
    const page = await send(sluice.url, 'GET', '/swagger-ui/');
    expect(page.status).toBe(200);
    expect(page.headers['content-type']).toMatch(/text\/html/);
  });
});

describe('every registered route is documented', () => {
  let services: AppServices;
  beforeAll(async () => {
    services = await createServices(loadConfig(testEnv('fs').env));
  });
  afterAll(async () => {
    await Promise.allSettled([services.queue.close(), services.commitQueue.close(), services.events.close()]);
    services.redis.disconnect();
  });

  it(
    'documents every operation once, each on the route that names it, ' + 'and an undocumented route stops start-up',
    async () => {
      const app = await buildApp(services);
      await app.ready();
      const document = app.swagger() as { paths: Record<string, Record<string, { operationId?: string }>> };
      const operations = Object.values(document.paths).flatMap((methods) =>
        Object.values(methods).map((op) => op.operationId),
      );
      expect(operations.sort()).toEqual(operationIds);
      // the schemas tests look up by name are those of the registered routes, all of them
      expect(Object.keys(routeSchemas(app)).sort()).toEqual(operationIds);
      await app.close();

      const extended = await buildApp(services);
      extended.get('/api/undocumented', async () => ({}));
      await expect(extended.ready()).rejects.toThrow(/routes without a schema .*GET \/api\/undocumented/);
      await extended.close();

      // a schema written apart from its URL's prefix must still name that URL's parameters
      const misnamed = await buildApp(services);
      const schema = { operationId: 'misnamed', summary: '', tags: [], params: Type.Object({ other: Type.String() }) };
      expect(() =>
        misnamed.get('/api/things/:thing', { schema: { ...schema, response: {} } }, async () => ({})),
      ).toThrow(/misnamed: its params \(other\) are not those of \/api\/things\/:thing \(thing\)/);
      await misnamed.close();
    },
  );
});
