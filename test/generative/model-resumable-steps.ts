import { send, sendJson, type Reply } from '../support/oxen-http.js';
import { normalize, type RepositoryModel } from './repository-model.js';
import { bytesOf, hashOf, same, Step, workspaceIds, wsName, type Real } from './model-real.js';

const partBytes = 16 * 1024 * 1024;

/**
 * Begins a resumable upload (docs/api.md, `POST R/versions/uploads`) into workspace `w` and keeps it in
 * `slot`. A destination where a file cannot go is refused first (409), whether or not the content is
 * stored. Content the repository references is staged at once (`already_stored`, then the quota);
 * otherwise the quota is checked for one more file now and the parts are awaited.
 */
export class BeginResumable extends Step {
  constructor(
    readonly slot: number,
    readonly w: number,
    readonly content: string,
    readonly path: string,
  ) {
    super();
  }
  async act(m: RepositoryModel, r: Real): Promise<void> {
    const path = normalize(this.path);
    const size = bytesOf(this.content).length;
    const referenced = m.referenced.has(this.content);
    const want =
      m.conflict(this.w, path) !== null
        ? 409
        : referenced
          ? m.overQuota(this.w, m.staging(this.w, [[path, this.content]]))
            ? 413
            : 200
          : m.overQuotaAt(this.w, path, size)
            ? 413
            : 200;
    const body = {
      hash: hashOf(this.content),
      size,
      destination: { path: this.path, workspace_id: workspaceIds[this.w] },
    };
    const reply = await sendJson(r.base, 'POST', `${r.repo}/versions/uploads`, body);
    same(reply.status, want, 'resumable begin status', reply);
    if (want !== 200) return;
    const file = reply.json().file as { status: string; upload_id?: string; num_parts?: number };
    same(file.status, referenced ? 'already_stored' : 'awaiting_parts', 'resumable begin', reply);
    if (referenced) return m.stage(this.w, [[path, this.content]]);
    const numParts = Math.ceil(size / partBytes);
    same(file.num_parts, numParts, 'resumable parts', reply);
    m.resumable.set(this.slot, {
      id: file.upload_id!,
      content: this.content,
      workspace: this.w,
      path,
      numParts,
      stored: new Set(),
      wrong: new Set(),
      ended: false,
    });
  }
  toString(): string {
    return `begin(#${this.slot}, ${wsName(this.w)}, ${this.content} at ${this.path})`;
  }
}

export type PartMode = 'right' | 'wrong bytes' | 'short' | 'long, chunked';

/**
 * One part of the upload in `slot`: its bytes, wrong bytes of its length, one byte short (announced),
 * or 64 KiB too long without a length (`Transfer-Encoding: chunked`, issue 26 item 1). A part stored
 * already is accepted and ignored; the part that completes the file is verified and staged (where
 * it goes, then its hash, then the quota), and the upload ends whatever the answer.
 */
export class PutPart extends Step {
  constructor(
    readonly slot: number,
    readonly part: number,
    readonly mode: PartMode,
  ) {
    super();
  }
  override check(m: Readonly<RepositoryModel>): boolean {
    return m.resumable.has(this.slot);
  }
  async act(m: RepositoryModel, r: Real): Promise<void> {
    const u = m.resumable.get(this.slot)!;
    const whole = bytesOf(u.content);
    const start = (this.part - 1) * partBytes;
    const right = whole.subarray(start, Math.min(whole.length, start + partBytes));
    let want: number;
    let completes = false;
    if (u.ended) want = 404;
    else if (this.part > u.numParts) want = 400;
    else if (this.mode === 'short') want = 400;
    else if (u.stored.has(this.part)) want = 200;
    else if (this.mode === 'long, chunked') want = 400;
    else {
      u.stored.add(this.part);
      if (this.mode === 'wrong bytes') u.wrong.add(this.part);
      completes = u.stored.size === u.numParts;
      want = 200;
      if (completes) {
        u.ended = true;
        const staging = [[u.path, u.content]] as const;
        if (m.conflict(u.workspace, u.path) !== null) want = 409;
        else if (u.wrong.size > 0) want = 400;
        else if (m.overQuota(u.workspace, m.staging(u.workspace, staging))) want = 413;
        else m.stage(u.workspace, staging);
      }
    }
    const path = `${r.repo}/versions/uploads/${u.id}/parts/${this.part}`;
    const reply = await this.send(r, path, right);
    same(reply.status, want, `part ${this.part} status`, reply);
    if (want !== 200) return;
    same(reply.json().completed, completes, `part ${this.part} completed`, reply);
    if (completes) same([reply.json().hash, reply.json().path], [hashOf(u.content), u.path], 'completed upload', reply);
  }
  private send(r: Real, path: string, right: Buffer): Promise<Reply> {
    switch (this.mode) {
      case 'right':
        return send(r.base, 'PUT', path, { body: right });
      case 'wrong bytes': {
        const wrong = Buffer.from(right);
        wrong[wrong.length - 1] = wrong[wrong.length - 1]! ^ 1;
        return send(r.base, 'PUT', path, { body: wrong });
      }
      case 'short':
        return send(r.base, 'PUT', path, { body: right.subarray(0, right.length - 1) });
      case 'long, chunked':
        return send(r.base, 'PUT', path, { body: Buffer.concat([right, Buffer.alloc(65536, 'x')]), chunked: true });
    }
  }
  toString(): string {
    return `part(#${this.slot}, ${this.part}, ${this.mode})`;
  }
}
