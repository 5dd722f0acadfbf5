import type fc from 'fast-check';
import { oxenHash } from '@sluice/core';
import { send, stagedFiles, type Reply } from '../support/oxen-http.js';
import type { RepositoryModel, Tree } from './repository-model.js';

/** The running sluice a model run drives: its URL, the repository's path and both workspaces' paths. */
export interface Real {
  base: string;
  repo: string;
  ws: string[];
}
/** The workspace ids of `Real.ws`, in order. */
export const workspaceIds = ['w', 'v'] as const;

/**
 * Contents by label: small ones, so that contents repeat, and one a byte past a resumable part
 * (16 MiB), so that a resumable upload has two parts and a part can be sent again before the end.
 */
export const smallContents = ['one', 'two', 'three'] as const;
export const bigLabel = 'big';
const big = Buffer.alloc(16 * 1024 * 1024 + 1, 'sluice ');
export const bytesOf = (label: string): Buffer => (label === bigLabel ? big : Buffer.from(label));
/** The label of content read back (a short description when it is none of the model's). */
export const labelOf = (bytes: Buffer): string =>
  bytes.equals(big) ? bigLabel : bytes.length > 100 ? `<${bytes.length} other bytes>` : bytes.toString();

export const hashes = new Map<string, string>();
export async function hashContents(): Promise<void> {
  for (const c of [...smallContents, bigLabel]) hashes.set(c, await oxenHash(bytesOf(c)));
}
export const hashOf = (label: string): string => hashes.get(label)!;

export class Mismatch extends Error {}
export function same(actual: unknown, expected: unknown, what: string, reply?: Reply): void {
  const [a, e] = [JSON.stringify(actual), JSON.stringify(expected)];
  if (a !== e)
    throw new Mismatch(
      `${what}: server ${a}, model ${e}${reply ? `\n  answer: ${reply.body.toString().slice(0, 400)}` : ''}`,
    );
}
export const sortedUnique = (xs: readonly string[]) => [...new Set(xs)].sort();

/** After every step: each workspace's staged list (status and hash per path) equals the model's. */
export async function checkStage(m: RepositoryModel, r: Real): Promise<void> {
  for (const [w, path] of r.ws.entries()) {
    const server = [...(await stagedFiles(r.base, path))].map(([p, e]) => `${p} ${e.status} ${e.hash}`).sort();
    const model = [...m.changes(w)].map(([p, e]) => `${p} ${e.status} ${hashOf(e.content)}`).sort();
    same(server, model, `staged list of ${workspaceIds[w]}`);
  }
}

/** Every file of a revision, found by walking `dir` listings, with its bytes read through `file`. */
export async function checkTree(r: Real, rev: string, tree: Tree): Promise<void> {
  const found = new Map<string, string>();
  const walk = async (dir: string): Promise<void> => {
    const reply = await send(r.base, 'GET', `${r.repo}/dir/${rev}/${dir}?page_size=100`);
    same(reply.status, 200, `dir ${rev}/${dir}`, reply);
    for (const e of reply.json().entries as Array<{ filename: string; is_dir: boolean }>) {
      const path = dir === '' ? e.filename : `${dir}/${e.filename}`;
      if (e.is_dir) await walk(path);
      else found.set(path, labelOf((await send(r.base, 'GET', `${r.repo}/file/${rev}/${path}`)).body));
    }
  };
  await walk('');
  same([...found].sort(), [...tree].sort(), `committed tree at ${rev}`);
}

/** A command: the request, its answer held to the model's, then both stages compared. */
export abstract class Step implements fc.AsyncCommand<RepositoryModel, Real> {
  check(_m: Readonly<RepositoryModel>): boolean {
    return true;
  }
  abstract act(m: RepositoryModel, r: Real): Promise<void>;
  async run(m: RepositoryModel, r: Real): Promise<void> {
    await this.act(m, r);
    await checkStage(m, r);
  }
  abstract toString(): string;
}

/** The workspace a command names, as it prints. */
export const wsName = (w: number): string => workspaceIds[w]!;
