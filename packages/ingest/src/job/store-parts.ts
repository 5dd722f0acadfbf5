import { mapLimit } from '@sluice/core';
import type { IngestProgress } from '@sluice/queue';
import { ingestMetrics } from '@sluice/telemetry';
import type { FileOutcome } from './file-outcome.js';
import { groupParts } from './group-parts.js';
import { inflateSegment, type InflateSegmentDeps } from './inflate-segment.js';
import type { IngestAttempt } from './ingest-attempt.js';
import { storeLargePart, type StoreLargePartDeps } from './store-large-part.js';

export type StorePartsDeps = InflateSegmentDeps & StoreLargePartDeps;

/** Every part's outcome, by index into the job's parts, and how many files the version store already held. */
export interface StoredParts {
  outcomes: FileOutcome[];
  deduplicated: number;
}

const segmentsInFlight = 2;
const streamsInFlight = 2;

/**
 * Takes the content of every part of a job into the version store: small parts a segment at a time
 * in threads, then the large ones (and those a thread would not hold) streamed. The job's progress
 * moves as parts finish.
 */
export async function storeParts(deps: StorePartsDeps, job: IngestAttempt): Promise<StoredParts> {
  const { parts } = job.data;
  const outcomes = new Array<FileOutcome>(parts.length);
  const progress: IngestProgress = {
    files_done: 0,
    files_total: parts.length,
    bytes_done: 0,
    bytes_total: job.data.bytes,
  };
  const advance = async (indexes: readonly number[]) => {
    progress.files_done += indexes.length;
    for (const i of indexes) progress.bytes_done += parts[i]?.length ?? 0;
    await job.updateProgress({ ...progress });
  };

  const { segments, streamed } = groupParts(parts);
  let deduplicated = 0;
  await mapLimit([...segments], segmentsInFlight, async ([key, indexes]) => {
    const segment = await inflateSegment(deps, job.data, key, indexes, outcomes);
    deduplicated += segment.deduplicated;
    ingestMetrics.deduplicatedBytes.inc(segment.deduplicatedBytes);
    const overflow = segment.overflow;
    for (const index of overflow) streamed.push(index);
    await advance(indexes.filter((i) => !overflow.includes(i)));
  });
  await mapLimit(streamed, streamsInFlight, async (i) => {
    const large = await storeLargePart(deps, parts[i]!, `${job.id}-${i}`);
    outcomes[i] = large.outcome;
    if (large.deduplicated) deduplicated++;
    await advance([i]);
  });
  return { outcomes, deduplicated };
}
