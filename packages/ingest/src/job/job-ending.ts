import { SluiceError, type ErrorCode } from '@sluice/core';
import type { StagingIndex } from '@sluice/repository';
import type { IngestJobResult } from '@sluice/queue';
import type { BlobStore } from '@sluice/storage';
import type { FileOutcome } from './file-outcome.js';
import type { IngestAttempt } from './ingest-attempt.js';
import { unstagedResult } from './job-result.js';

export interface JobEndingDeps {
  /** The spool, dropped once the job's result is recorded. */
  store: BlobStore;
  staging: StagingIndex;
  retentionSeconds: number;
}

/**
 * How one ingest job ends when it stages nothing, and how any attempt answers once a result is
 * recorded: the first result recorded stands, every attempt answers with it and drops the spool.
 */
export class JobEnding {
  constructor(
    private readonly deps: JobEndingDeps,
    private readonly job: IngestAttempt,
  ) {}

  /** Whether an attempt of this job (this one or another) recorded the job's result. */
  async isRecorded(): Promise<boolean> {
    const { namespace, repo } = this.job.data;
    return (await this.deps.staging.appliedResult(namespace, repo, this.job.id)) !== null;
  }

  /** The result an attempt of this job recorded; its spool is dropped again in case that attempt died first. */
  async recorded(): Promise<IngestJobResult> {
    const { namespace, repo, spoolKeys } = this.job.data;
    const recorded = await this.deps.staging.appliedResult(namespace, repo, this.job.id);
    if (recorded === null) throw new SluiceError('internal', `job ${this.job.id}: no recorded result`);
    await this.deps.store.delete(spoolKeys);
    return JSON.parse(recorded) as IngestJobResult;
  }

  /** Ends a job that only stores content (POST /versions): records per-file results, drops the spool. */
  async finishUnstaged(outcomes: readonly FileOutcome[], deduplicated: number): Promise<IngestJobResult> {
    const result = unstagedResult(this.job.data.parts, outcomes, deduplicated);
    // the stored hashes join the repository's content set with the result, so it may stage them by hash
    return this.record(
      result,
      result.files.flatMap((f) => ('hash' in f ? [f.hash] : [])),
    );
  }

  /** Fails every file of a job that cannot be staged at all, and records that as its result. */
  async abandon(code: ErrorCode, message: string): Promise<IngestJobResult> {
    const files = this.job.data.parts.map((p) => ({ path: p.path, error: { code, message } }));
    return this.record({ paths: [], files, deduplicated: 0 });
  }

  /** Records `result` unless an attempt recorded one first, and answers with whichever stands. */
  private async record(result: IngestJobResult, hashes?: string[]): Promise<IngestJobResult> {
    const { namespace, repo } = this.job.data;
    const { staging, retentionSeconds } = this.deps;
    await staging.recordResult(namespace, repo, this.job.id, JSON.stringify(result), retentionSeconds, hashes);
    return this.recorded();
  }
}
