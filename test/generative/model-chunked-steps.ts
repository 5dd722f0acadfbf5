import { send, sendJson } from '../support/oxen-http.js';
import { normalize, type RepositoryModel } from './repository-model.js';
import { hashOf, same, Step, wsName, workspaceIds, type Real } from './model-real.js';

/** What a chunk of `content` holds: its bytes, or wrong ones (longer, so the byte quota sees them too). */
const chunkBody = (content: string, right: boolean): string => (right ? content : `${content}, but not quite`);

/** One chunk of the chunked upload (docs/architecture.md#uploads), with the content's bytes or wrong ones. */
export class SendChunk extends Step {
  constructor(
    readonly content: string,
    readonly right: boolean,
  ) {
    super();
  }
  async act(m: RepositoryModel, r: Real): Promise<void> {
    const body = chunkBody(this.content, this.right);
    const reply = await send(r.base, 'PUT', `${r.repo}/versions/${hashOf(this.content)}/chunks?offset=0`, { body });
    same(reply.status, 200, 'chunk status', reply);
    m.chunks.set(this.content, this.right);
  }
  toString(): string {
    return `chunk(${this.content}${this.right ? '' : ', wrong bytes'})`;
  }
}

/**
 * The chunked completion into a workspace. Where the file cannot go, or where the chunks' bytes would
 * pass a quota, it is refused before any job and the chunks stay for a completion that fits; else the
 * job that reassembles them checks the hash, and whatever it answers, the chunks it read are gone.
 * Without chunks, content the repository references is staged again; anything else is a chunk count
 * mismatch.
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
  /** The status to expect, and whether a job read (and so dropped) the chunks. */
  expected(m: RepositoryModel, path: string): { status: number; chunksRead: boolean } {
    const sent = m.chunks.get(this.content);
    if (sent === undefined) {
      if (!m.referenced.has(this.content)) return { status: 400, chunksRead: false };
      if (m.conflict(this.w, path) !== null) return { status: 409, chunksRead: false };
      const over = m.overQuota(this.w, m.staging(this.w, [[path, this.content]]));
      return { status: over ? 413 : 200, chunksRead: false };
    }
    if (m.conflict(this.w, path) !== null) return { status: 409, chunksRead: false };
    if (m.overQuotaAt(this.w, path, Buffer.byteLength(chunkBody(this.content, sent))))
      return { status: 413, chunksRead: false };
    return { status: sent ? 200 : 400, chunksRead: true };
  }
  async act(m: RepositoryModel, r: Real): Promise<void> {
    const path = normalize(this.dir, this.name);
    const { status: want, chunksRead } = this.expected(m, path);
    const hash = hashOf(this.content);
    const body = {
      files: [{ hash, file_name: this.name, dst_dir: this.dir, num_chunks: 1, upload_results: null }],
      workspace_id: workspaceIds[this.w],
    };
    const reply = await sendJson(r.base, 'POST', `${r.repo}/versions/${hash}/complete`, body);
    same(reply.status, want, 'chunked completion status', reply);
    if (chunksRead) m.chunks.delete(this.content);
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
