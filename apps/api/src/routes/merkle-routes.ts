import { SluiceError } from '@sluice/core';
import type { AppServices } from '../app-services.js';
import type { RequestOf, TypedApp } from '../openapi/schema-kit.js';
import { mergePushedCommit, merkleTreeRead, merkleTreeWrite } from './merkle-routes.schema.js';
import { wildcardTail } from '../plugins/wildcard-tail.js';

const readInstead =
  'read a whole directory at a revision with `sluice download` (GET R/archive/{revision}/{path}, one tar), or ' +
  'file by file with `oxen ls` and `oxen download`';
const writeInstead =
  'write through a workspace: upload, then commit (`oxen workspace add`, `oxen workspace commit`, or `sluice push`)';

/**
 * The routes of `oxen clone`, `pull`, `fetch` and `push`: upstream serves and takes Oxen's merkle
 * tree nodes there (its on-disk node format, and a merge of commits pushed as such nodes). sluice
 * keeps trees of its own and cannot serve or take those, so each answers 501 `not_implemented`,
 * naming what to use instead, once the repository is found; the body is never read.
 */
export function merkleRoutes(app: TypedApp, { repos }: AppServices): void {
  const refuse = (message: string) => async (request: RequestOf<typeof mergePushedCommit | typeof merkleTreeRead>) => {
    const { namespace, repo } = request.params;
    await repos.require(namespace, repo);
    throw new SluiceError('not_implemented', message);
  };
  const unreachable = async () => {
    throw new SluiceError('internal', 'answered before parsing');
  };

  wildcardTail(app, ['/merge']);
  app.put(
    '/branches/*',
    {
      schema: mergePushedCommit,
      constraints: { wildcardTail: '/merge' },
      preParsing: refuse(
        `sluice does not take pushed commits (oxen push): it does not store Oxen's merkle tree. Instead, ` +
          `${writeInstead}`,
      ),
    },
    unreachable,
  );
  const tree =
    `sluice does not store Oxen's merkle tree, so oxen clone, pull, fetch, push and the download of a directory ` +
    `do not work against it. Instead, ${readInstead}; ${writeInstead}`;
  app.get('/tree/*', { schema: merkleTreeRead, preParsing: refuse(tree) }, unreachable);
  app.post('/tree/*', { schema: merkleTreeWrite, preParsing: refuse(tree) }, unreachable);
}
