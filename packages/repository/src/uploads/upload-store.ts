import { randomUUID } from 'node:crypto';
import type { RedisClient } from '../redis/redis-client.js';
import { luaCommands, type LuaCommands } from '../redis/lua-commands.js';

/** What a resumable upload was begun with. */
export interface UploadPlan {
  namespace: string;
  repo: string;
  hash: string;
  size: number;
  partSize: number;
  numParts: number;
  partWindow: number;
  /** Where the file is staged once complete, or null to only store it. */
  destination: { path: string; workspaceId: string } | null;
}

export interface Upload extends UploadPlan {
  id: string;
}

/**
 * A claimed part carries the token that releases it; the rest say why there is no claim
 * (`completing`: stored, and the upload's job is under way or was never enqueued).
 */
export type PartClaim =
  | { state: 'claimed'; token: string }
  | { state: 'already_stored' | 'completing' | 'busy' | 'outside_window' | 'unknown' };

/** How long an upload with no new part lives on. */
const uploadLifetimeSeconds = 86_400;

/**
 * How long a claim on a part holds when its request neither stores the part nor gives the claim
 * up: an API node that died mid-part. A request that fails or is cut gives its claim up at once.
 * A request still sending after this (under 28 KiB/s for a 16 MiB part) may see a resend of the
 * same part claim it too; both write whole parts, the last rename wins, nothing is lost.
 */
const partClaimSeconds = 600;

/**
 * Resumable uploads in Redis: a record per upload and the sets of parts stored and being stored,
 * under one hash tag per upload so every step is one script on one Cluster slot.
 */
export class UploadStore {
  private readonly lua: LuaCommands;

  constructor(
    private readonly redis: RedisClient,
    private readonly prefix: string,
  ) {
    this.lua = luaCommands(redis);
  }

  private keys(id: string): [string, string, string] {
    const tag = `{${this.prefix}:upload:${id}}`;
    return [`${tag}:record`, `${tag}:stored`, `${tag}:claims`];
  }

  async begin(plan: UploadPlan): Promise<Upload> {
    const id = randomUUID();
    const [record] = this.keys(id);
    await this.redis
      .multi()
      .hset(record, {
        state: 'open',
        low: 1,
        namespace: plan.namespace,
        repo: plan.repo,
        hash: plan.hash,
        size: plan.size,
        part_size: plan.partSize,
        num_parts: plan.numParts,
        part_window: plan.partWindow,
        destination: JSON.stringify(plan.destination),
      })
      .expire(record, uploadLifetimeSeconds)
      .exec();
    return { id, ...plan };
  }

  /**
   * The open or completing upload `id` of the repository, or
   * null (unknown, finished, aborted, or another repository's).
   */
  async get(namespace: string, repo: string, id: string): Promise<Upload | null> {
    if (!/^[0-9a-f-]{36}$/.test(id)) return null;
    const fields = await this.redis.hgetall(this.keys(id)[0]);
    if (fields.state === undefined || fields.namespace !== namespace || fields.repo !== repo) return null;
    return {
      id,
      namespace,
      repo,
      hash: fields.hash!,
      size: Number(fields.size),
      partSize: Number(fields.part_size),
      numParts: Number(fields.num_parts),
      partWindow: Number(fields.part_window),
      destination: JSON.parse(fields.destination ?? 'null') as Upload['destination'],
    };
  }

  async claimPart(id: string, part: number, claimSeconds = partClaimSeconds): Promise<PartClaim> {
    const token = randomUUID();
    const outcome = await this.lua.claimPart(this.keys(id), [part, uploadLifetimeSeconds, claimSeconds, token]);
    if (outcome === 1) return { state: 'claimed', token };
    return {
      state:
        ({ 2: 'already_stored', 3: 'busy', 4: 'outside_window', 5: 'completing' } as const)[outcome as 2 | 3 | 4 | 5] ??
        'unknown',
    };
  }

  /** A claimed part that could not be stored: another copy may be sent. */
  async releasePart(id: string, part: number, token: string): Promise<void> {
    await this.lua.releasePart(this.keys(id), [part, token]);
  }

  /** Records a stored part; true when it was the last and the caller must finish the upload. */
  async partStored(id: string, part: number): Promise<boolean> {
    return (await this.lua.partStored(this.keys(id), [part, uploadLifetimeSeconds])) === 1;
  }

  /** Whether the upload still exists (its parts are not orphans). */
  async exists(id: string): Promise<boolean> {
    return (await this.redis.exists(this.keys(id)[0])) === 1;
  }

  /** Ends the upload, completed or aborted: its parts answer 404 from now on. */
  async finish(id: string): Promise<void> {
    await this.redis.del(...this.keys(id));
  }
}
