import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { oxenHash } from '@sluice/core';
import { upstreamRequests, type UpstreamRequest } from '@sluice/protocol';
import { startSluice, type SluiceProcess } from '../support/sluice-process.js';
import { testEnv } from '../support/test-env.js';
import { expectStatusMessage, StockClient, type ClientReply } from './stock-client.js';
import { serdeVariants, type BodyVariant } from './serde-variants.js';

type Json = Record<string, unknown>;

/** How one route of the table is replayed: where, from which body, and upstream's own refusals. */
interface Replay {
  method: string;
  url: () => string;
  /** The body as the 0.54 client writes it (serde writes every field, None as null). */
  base: () => Json | unknown[];
  /** Keeps each variant replayable: the same answer every time unless serde refuses the body. */
  fresh?: (body: unknown, n: number) => unknown;
  /** Upstream's handler refuses these variants after serde read them (label → refused). */
  handlerRefuses?: Record<string, boolean>;
  /** What sluice's handler answers to these variants serde reads (an empty value it cannot use). */
  handlerAnswers?: Record<string, { status: number; code: string }>;
  /** Bodies beyond the generated ones, with whether upstream refuses them. */
  extra?: () => BodyVariant[];
}

/**
 * Every JSON body of the stock client, by the table of upstream's types in @sluice/protocol:
 * each optional field null and absent, each required field absent and null, one unknown field
 * added, nested structs too. A body serde would refuse must be refused (400 naming the field,
 * nothing changed); any other must get the answer the client's own body gets.
 */
describe("request bodies by serde's rules (upstream 0.54 types)", () => {
  let sluice: SluiceProcess;
  let client: StockClient;
  const ws = 'serde-ws';
  let head = '';
  let bigHash = '';

  const replays: Record<string, Replay> = {
    'POST /api/repos': {
      method: 'POST',
      url: () => '/api/repos',
      base: () => ({
        namespace: 'serde',
        name: 'fresh',
        is_public: null,
        host: null,
        scheme: null,
        root_commit: null,
        description: null,
        files: [{ path: 'README.md', contents: '# serde\n', user: { email: 'ox@example.com', name: 'Ox' } }],
        storage_kind: null,
        merkle_node_backend: null,
        repo_uuid: null,
      }),
      fresh: (body, n) =>
        typeof (body as Json).name === 'string' && (body as Json).name !== ''
          ? { ...(body as Json), name: `repo-${n}` }
          : body,
      handlerAnswers: {
        'namespace empty': { status: 400, code: 'invalid_name' },
        'name empty': { status: 400, code: 'invalid_name' },
        'files[0].path empty': { status: 400, code: 'invalid_path' },
      },
    },
    'PUT R/workspaces': {
      method: 'PUT',
      url: () => `${client.R}/workspaces`,
      base: () => ({
        workspace_id: 'serde-ws-id',
        branch_name: 'main',
        resource_path: '/',
        entity_type: 'user',
        name: ws,
        force: true,
      }),
      handlerAnswers: {
        'workspace_id empty': { status: 400, code: 'invalid_name' },
        'name empty': { status: 400, code: 'invalid_name' },
        // as upstream: no branch "" in a repository with commits
        'branch_name empty': { status: 400, code: 'branch_required' },
      },
    },
    'POST W/validate': { method: 'POST', url: () => `${client.W(ws)}/validate`, base: () => ({ size: 1234 }) },
    'POST R/versions/{hash}/create': {
      method: 'POST',
      url: () => `${client.R}/versions/${bigHash}/create`,
      base: () => ({ hash: bigHash, file_name: 'big.bin', size: 3, dst_dir: 'large' }),
    },
    'POST R/versions/{hash}/complete': {
      // a completion repeated: the content is this repository's, each variant stages it again
      method: 'POST',
      url: () => `${client.R}/versions/${bigHash}/complete`,
      base: () => ({
        files: [{ hash: bigHash, file_name: 'big.bin', dst_dir: 'large', num_chunks: 1, upload_results: null }],
        workspace_id: ws,
      }),
      // upstream counts the chunks by one of the two, and refuses a body with neither
      handlerRefuses: { 'files[0].num_chunks absent': true, 'files[0].num_chunks null': true },
      handlerAnswers: {
        // no workspace has the id ""; a file_name "" names dst_dir itself, where files are staged under it
        'workspace_id empty': { status: 404, code: 'workspace_not_found' },
        'files[0].file_name empty': { status: 409, code: 'path_conflict' },
      },
    },
    'PATCH W/files/{path}': {
      method: 'PATCH',
      url: () => `${client.W(ws)}/files/not-staged.txt`,
      base: () => ({ new_path: 'elsewhere.txt' }),
      handlerAnswers: { 'new_path empty': { status: 400, code: 'invalid_path' } },
    },
    'DELETE W/files, W/staged, W/changes': {
      method: 'DELETE',
      url: () => `${client.W(ws)}/staged`,
      base: () => ['not-staged.txt'],
      extra: () => [
        { label: 'a JSON object', body: { paths: ['x'] }, refused: true },
        { label: 'a number in the list', body: [1], refused: true },
      ],
    },
    'POST W/merge/{branch}, W/commit/{branch}': {
      // a workspace nothing is staged in: 422 each time, unless the body is refused first
      method: 'POST',
      url: () => `${client.W('serde-empty')}/commit/main`,
      base: () => ({ message: 'm', author: 'Ox', email: 'ox@example.com' }),
    },
    'POST R/branches': {
      method: 'POST',
      url: () => `${client.R}/branches`,
      base: () => ({ new_name: 'serde-a', from_name: 'main' }),
      handlerAnswers: {
        'new_name empty': { status: 400, code: 'invalid_name' },
        'commit_id empty': { status: 404, code: 'resource_not_found' },
      },
      extra: () => [
        ...serdeVariants(upstreamRequestStructs('POST R/branches')[1]!, { new_name: 'serde-b', commit_id: head }),
        {
          label: 'from_name null beside commit_id: read as the second struct',
          body: { new_name: 'serde-c', from_name: null, commit_id: head },
          refused: false,
        },
        {
          label: 'from_name a number beside commit_id',
          body: { new_name: 'serde-d', from_name: 7, commit_id: head },
          refused: false,
        },
      ],
    },
    // sluice answers 501 unread: every variant gets the client's own body's answer
    'PUT R/branches/{name}/merge': {
      method: 'PUT',
      url: () => `${client.R}/branches/main/merge`,
      base: () => ({ client_commit_id: head, server_commit_id: head }),
    },
    'PUT R/branches/{name}': {
      method: 'PUT',
      url: () => `${client.R}/branches/serde-moved`,
      base: () => ({ commit_id: head }),
      // as upstream: no commit has the id ""
      handlerAnswers: { 'commit_id empty': { status: 404, code: 'resource_not_found' } },
    },
    'POST R/commits/{id}/complete': {
      method: 'POST',
      url: () => `${client.R}/commits/${head}/complete`,
      base: () => ({ branch: { name: 'main', commit_id: head } }),
      extra: () => [
        { label: 'an empty object', body: {}, refused: false },
        { label: 'null', body: null, refused: false },
      ],
    },
  };

  function upstreamRequestStructs(call: string) {
    const entry = upstreamRequests.find((r) => r.call === call)!;
    return entry.body.read === 'struct' ? entry.body.structs : [];
  }

  function variantsOf(entry: UpstreamRequest, replay: Replay): BodyVariant[] {
    const base = replay.base();
    const generated: BodyVariant[] = [];
    if (entry.body.read === 'struct') generated.push(...serdeVariants(entry.body.structs[0]!, base as Json));
    if (entry.body.read === 'ignored' && entry.body.sent !== undefined) {
      generated.push(...serdeVariants(entry.body.sent, base as Json).map((v) => ({ ...v, refused: false })));
    }
    if (entry.body.read === 'paths') generated.push({ label: 'null', body: null, refused: true });
    const all = [...generated, ...(replay.extra?.() ?? [])];
    for (const variant of all) {
      const override = replay.handlerRefuses?.[variant.label];
      if (override !== undefined) variant.refused = override;
      const answer = replay.handlerAnswers?.[variant.label];
      if (answer !== undefined) variant.handler = answer;
    }
    return all;
  }

  const send = (entry: UpstreamRequest, replay: Replay, body: unknown): Promise<ClientReply> =>
    client.send(
      replay.method,
      replay.url(),
      entry.contentType === 'application/json' ? { kind: 'json', value: body } : { kind: 'text', value: body },
    );

  beforeAll(async () => {
    sluice = await startSluice(testEnv('fs').env);
    client = new StockClient(sluice.url, 'ox', 'serde');
    expectStatusMessage(
      await client.json('POST', '/api/repos', {
        namespace: 'ox',
        name: 'serde',
        files: [{ path: 'a.txt', contents: 'a\n', user: { email: 'ox@example.com', name: 'Ox' } }],
      }),
    );
    expectStatusMessage(
      await client.json('PUT', `${client.R}/workspaces`, {
        workspace_id: 'serde-ws-id',
        branch_name: 'main',
        name: ws,
      }),
    );
    expectStatusMessage(
      await client.json('PUT', `${client.R}/workspaces`, { workspace_id: 'serde-empty', branch_name: 'main' }),
    );
    head = expectStatusMessage(await client.get(`${client.R}/branches/main`)).branch.commit_id;
    expectStatusMessage(
      await client.text('POST', `${client.R}/branches`, { new_name: 'serde-moved', from_name: 'main' }),
    );
    // one chunked upload completed, so that each completion below finds the content stored
    const content = randomBytes(3);
    bigHash = await oxenHash(content);
    expectStatusMessage(await client.raw('PUT', `${client.R}/versions/${bigHash}/chunks?offset=0`, content));
    expectStatusMessage(
      await client.text('POST', `${client.R}/versions/${bigHash}/complete`, {
        files: [{ hash: bigHash, file_name: 'big.bin', dst_dir: 'large', num_chunks: 1, upload_results: null }],
        workspace_id: null,
      }),
    );
  });
  afterAll(async () => {
    client?.close();
    await sluice?.stop();
  });

  it('has a replay for every route of the table', () => {
    expect(upstreamRequests.map((r) => r.call).filter((call) => replays[call] === undefined)).toEqual([]);
  });

  for (const entry of upstreamRequests) {
    it(
      `${entry.call}: ` +
        (entry.body.read === 'struct'
          ? entry.body.structs.map((s) => s.name).join(' then ')
          : `body ${entry.body.read}`),
      async () => {
        const replay = replays[entry.call]!;
        let n = 0;
        const fresh = (body: unknown) => replay.fresh?.(body, n++) ?? body;
        const baseline = await send(entry, replay, fresh(replay.base()));
        expect(baseline.status, `the client's own body: ${baseline.body.toString()}`).not.toBe(400);
        const variants = variantsOf(entry, replay);
        expect(variants.length).toBeGreaterThan(0);
        const outcomes: string[] = [];
        for (const variant of variants) {
          const reply = await send(entry, replay, fresh(variant.body));
          const expected = variant.handler?.status ?? (variant.refused ? 400 : baseline.status);
          if (reply.status !== expected)
            outcomes.push(
              `${variant.label}: ${reply.status}, expected ${expected}: ${reply.body.toString().slice(0, 300)}`,
            );
          else if (variant.refused) expect(reply.json().status).toBe('error');
          else if (variant.handler !== undefined) {
            // the handler's own refusal, with its code: not the schema's "Invalid request body"
            const { error, status_description: said } = reply.json();
            if (error?.type !== variant.handler.code || /^Invalid request body/.test(said))
              outcomes.push(`${variant.label}: ${error?.type} ${said}, expected the handler's ${variant.handler.code}`);
          }
        }
        expect(outcomes).toEqual([]);
      },
    );
  }
});
