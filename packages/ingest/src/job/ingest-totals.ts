import type { RedisClient, RedisKeys } from '@sluice/repository';

export interface IngestTotalsSnapshot {
  files: number;
  /** Inflated bytes of the files staged or stored. */
  bytes: number;
  failed: number;
  /** Commits made, synchronous or as jobs. */
  commits: number;
}

const fields = ['files', 'bytes', 'failed', 'commits'] as const;

/**
 * Counters of all finished ingest jobs across every worker node, kept in one Redis hash: the
 * dashboard turns two readings into files and bytes per second. One round trip per job, not per file.
 */
export class IngestTotals {
  constructor(
    private readonly redis: RedisClient,
    private readonly keys: RedisKeys,
  ) {}

  async add(files: number, bytes: number, failed: number): Promise<void> {
    const key = this.keys.ingestTotals();
    // A pipeline, not MULTI: each counter is right on its own, and this is three commands, not five.
    await this.redis
      .pipeline()
      .hincrby(key, 'files', files)
      .hincrby(key, 'bytes', bytes)
      .hincrby(key, 'failed', failed)
      .exec();
  }

  async addCommit(): Promise<void> {
    await this.redis.hincrby(this.keys.ingestTotals(), 'commits', 1);
  }

  async read(): Promise<IngestTotalsSnapshot> {
    const values = await this.redis.hmget(this.keys.ingestTotals(), ...fields);
    return Object.fromEntries(
      fields.map((field, i) => [field, Number(values[i] ?? 0)]),
    ) as unknown as IngestTotalsSnapshot;
  }
}
