import { send, sendJson } from '../support/oxen-http.js';
import { normalize, type RepositoryModel } from './repository-model.js';
import { hashOf, same, Step, wsName, workspaceIds, type Real } from './model-real.js';

/** One chunk of the chunked upload (docs/architecture.md#uploads), with the content's bytes or wrong ones. */
export class SendChunk extends Step {
  constructor(
    readonly content: string,
    readonly right: boolean,
  ) {
    super();
  }
  async act(m: RepositoryModel, r: Real): Promise<void> {
    const body = this.right ? this.content : `${this.content}, but not quite`;
    const reply = await send(r.base, 'PUT', `${r.repo}/versions/${hashOf(this.content)}/chunks?offset=0`, { body });
    same(reply.status, 200, 'chunk status', reply);
    m.chunks.set(this.content, this.right);
  }
  toString(): string {
    return `chunk(${this.content}${this.right ? '' : ', wrong bytes'})`;
  }
}

/**
 * The chunked completion into a workspace: the job that reassembles the chunks checks where the
 * file goes, then its hash, then the quota; whatever it answers, the chunks it read are gone. Without
 * chunks, content the repository references is staged again; anything else is a chunk count mismatch.
 */
export class CompleteChunked extends Step {
  constructor(
    readonly w: number,
    readonly content: string,
    readonly dir: string,
    readonly name: string,
  ) {
    super();
  }
  expected(m: RepositoryModel, path: string): number {
    const sent = m.chunks.get(this.content);
    if (sent === undefined && !m.referenced.has(this.content)) return 400;
    if (m.conflict(this.w, path) !== null) return 409;
    if (sent === false) return 400;
    return m.overQuota(this.w, m.staging(this.w, [[path, this.content]])) ? 413 : 200;
  }
  async act(m: RepositoryModel, r: Real): Promise<void> {
    const path = normalize(this.dir, this.name);
    const want = this.expected(m, path);
    const hash = hashOf(this.content);
    const body = {
      files: [{ hash, file_name: this.name, dst_dir: this.dir, num_chunks: 1, upload_results: null }],
      workspace_id: workspaceIds[this.w],
    };
    const reply = await sendJson(r.base, 'POST', `${r.repo}/versions/${hash}/complete`, body);
    same(reply.status, want, 'chunked completion status', reply);
    m.chunks.delete(this.content);
    if (want === 200) m.stage(this.w, [[path, this.content]]);
  }
  toString(): string {
    return `complete(${wsName(this.w)}, ${this.content} at ${JSON.stringify(this.dir)}/${this.name})`;
  }
}

/** A whole chunked upload, one chunk then its completion: a retry after a refusal is the case that matters. */
export class ChunkedUpload extends Step {
  constructor(
    readonly w: number,
    readonly content: string,
    readonly right: boolean,
    readonly dir: string,
  ) {
    super();
  }
  async act(m: RepositoryModel, r: Real): Promise<void> {
    await new SendChunk(this.content, this.right).act(m, r);
    await new CompleteChunked(this.w, this.content, this.dir, 'big').act(m, r);
  }
  toString(): string {
    return (
      `chunked(${wsName(this.w)}, ${this.content}${this.right ? '' : ', wrong bytes'} ` +
      `at ${JSON.stringify(this.dir)}/big)`
    );
  }
}
