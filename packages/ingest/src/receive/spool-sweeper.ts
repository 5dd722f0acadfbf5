import type { PackIndex, RedisClient, UploadStore } from '@sluice/repository';
import type { Logger } from 'pino';
import {
  chunksPrefix,
  packKey,
  pendingVersionKey,
  readPackIndex,
  spoolPrefix,
  uploadPartPrefix,
  type BlobStore,
} from '@sluice/storage';
import type { IngestQueue } from '@sluice/queue';

/** What the sweeper works on, handed to it by the process that builds the node's services. */
export interface SweeperDeps {
  store: BlobStore;
  /** Unfinished ingest jobs: the spool objects they reference are kept. */
  ingestQueue: IngestQueue;
  /** Resumable uploads still in progress: their parts are kept. */
  uploads: UploadStore;
  packs: PackIndex;
  /** Holds the lease that lets one sweeper run at a time. */
  redis: RedisClient;
}

export interface SweeperSettings {
  keyPrefix: string;
  graceSeconds: number;
  logger: Logger;
}

/**
 * Removes spool objects no unfinished job references once they are older than the grace period:
 * what an API node killed mid-request, or a worker killed mid-stream, leaves behind; chunks of
 * the chunked /versions route never completed (they live outside the spool, as upstream lays
 * them out, but are as short-lived); and packs
 * begun that long ago but never recorded (a worker killed between writing a pack and recording
 * it) unless some version is located in them. One sweeper runs at a time across all worker
 * processes (a Redis lease).
 */
export class SpoolSweeper {
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly deps: SweeperDeps,
    private readonly settings: SweeperSettings,
  ) {}

  start(): void {
    const everyMs = Math.min(this.settings.graceSeconds, 300) * 1000;
    this.timer = setInterval(() => {
      this.sweepOnce().catch((error: unknown) => {
        this.settings.logger.warn({ err: (error as Error).message }, 'spool sweep failed');
      });
    }, everyMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  /** One sweep; returns the keys it deleted (empty when another process holds the lease). */
  async sweepOnce(now = Date.now()): Promise<string[]> {
    const { redis } = this.deps;
    const { keyPrefix, graceSeconds } = this.settings;
    const lease = await redis.set(
      `${keyPrefix}:spool-sweeper`,
      String(process.pid),
      'EX',
      Math.max(graceSeconds, 30),
      'NX',
    );
    if (lease === null) return [];
    const cutoff = now - graceSeconds * 1000;
    const packs = await this.sweepPacks(cutoff);
    return [...packs, ...(await this.sweepSpool(cutoff))];
  }

  /** Packs begun before the cutoff, never recorded, and holding no version located in them. */
  private async sweepPacks(cutoff: number): Promise<string[]> {
    const { store, packs } = this.deps;
    const removed: string[] = [];
    for (const pack of await packs.unrecorded(cutoff)) {
      const info = await store.stat(packKey(pack));
      const entries = info === null ? [] : await readPackIndex(store, pack, info.size);
      if (info !== null && !(await packs.inUse(pack, entries)) && (await packs.stillUnrecorded(pack, cutoff))) {
        await store.delete([packKey(pack)]);
        removed.push(packKey(pack));
      }
      await packs.settle(pack);
    }
    if (removed.length > 0) {
      this.settings.logger.info({ removed: removed.length }, 'swept packs no version is located in');
    }
    return removed;
  }

  private async sweepSpool(cutoff: number): Promise<string[]> {
    const { store, ingestQueue, uploads } = this.deps;
    const stale: string[] = [];
    for (const prefix of [spoolPrefix, chunksPrefix]) {
      for await (const info of store.list(prefix)) if (info.lastModified.getTime() < cutoff) stale.push(info.key);
    }
    if (stale.length === 0) return [];
    // Read the unfinished jobs only after listing: a job enqueued meanwhile references objects
    // younger than the cutoff, which are not candidates anyway.
    const referenced = new Set<string>();
    const activeJobs = new Set<string>();
    const unfinished = await ingestQueue.getJobs(['waiting', 'active', 'delayed', 'prioritized', 'waiting-children']);
    for (const job of unfinished) {
      for (const key of job.data.spoolKeys) referenced.add(key);
      activeJobs.add(job.id as string);
    }
    const candidates = stale.filter((key) => !referenced.has(key) && !activeJobs.has(pendingJobId(key) ?? ''));
    // A resumable upload's parts wait for the rest as long as the upload lives, however slow it is.
    const live = new Map<string, boolean>();
    const orphans: string[] = [];
    for (const key of candidates) {
      const upload = uploadOf(key);
      if (upload !== null && !live.has(upload)) live.set(upload, await uploads.exists(upload));
      if (upload === null || !live.get(upload)) orphans.push(key);
    }
    await store.delete(orphans);
    if (orphans.length > 0) {
      this.settings.logger.info({ removed: orphans.length }, 'swept orphaned spool objects and chunks');
    }
    return orphans;
  }
}

const pendingPrefix = pendingVersionKey('');

/** The job a pending version object belongs to (`spool/pending/<jobId>-<part>`), if it is one. */
function pendingJobId(key: string): string | null {
  if (!key.startsWith(pendingPrefix)) return null;
  return key.slice(pendingPrefix.length, key.lastIndexOf('-'));
}

/** The resumable upload a part belongs to (`spool/uploads/<uploadId>/<part>`), if it is one. */
function uploadOf(key: string): string | null {
  if (!key.startsWith(uploadPartPrefix)) return null;
  return key.slice(uploadPartPrefix.length, key.indexOf('/', uploadPartPrefix.length));
}
