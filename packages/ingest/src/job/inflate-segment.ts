import { errorCodeOf, SluiceError, type Limits } from '@sluice/core';
import type { VersionIndex, VersionWriter } from '@sluice/repository';
import { isChunkedPart, type IngestJobData, type SegmentPart, type SpooledPart } from '@sluice/queue';
import type { BlobStore } from '@sluice/storage';
import { ingestMetrics, timed } from '@sluice/telemetry';
import { hashMismatch, spoolMissing, type FileOutcome } from './file-outcome.js';
import type { InflateTask, InflateTaskResult } from './threads/inflate-task.js';

export interface InflateSegmentDeps {
  store: BlobStore;
  versions: VersionIndex;
  versionWriter: VersionWriter;
  /** Runs a task of `threads/inflate-task.ts` on a thread, its segment transferred, not copied. */
  inflate: (task: InflateTask) => Promise<InflateTaskResult>;
  limits: Limits;
}

/** What became of a segment beyond its parts' outcomes. */
export interface SegmentOutcome {
  /** Parts the thread would not inflate in memory: the job streams them instead. */
  overflow: number[];
  /** Files (and their bytes) of the segment whose content was already stored. */
  deduplicated: number;
  deduplicatedBytes: number;
}

/** Inflated bytes one thread task may hold; parts past it are streamed instead. */
const taskOutputBytes = 64 * 1024 * 1024;
/** A part inflating past this is streamed rather than inflated in memory. */
const inlineInflateBytes = 16 * 1024 * 1024;

/**
 * Inflates and hashes a segment's parts (`indexes` into the job's parts) in a thread and writes
 * the new content to the version store, setting each part's outcome in `outcomes` but for the
 * overflow. A segment gone from the spool fails its parts with spool_missing.
 */
export async function inflateSegment(
  deps: InflateSegmentDeps,
  data: IngestJobData,
  key: string,
  indexes: number[],
  outcomes: FileOutcome[],
): Promise<SegmentOutcome> {
  let segment: Buffer;
  try {
    segment = await deps.store.getBuffer(key);
  } catch (error) {
    if (errorCodeOf(error) !== 'resource_not_found') throw error;
    for (const i of indexes) outcomes[i] = spoolMissing(key);
    return { overflow: [], deduplicated: 0, deduplicatedBytes: 0 };
  }
  const task: InflateTask = {
    segment: segment.buffer as ArrayBuffer,
    parts: indexes.map((i) => {
      const part = segmentPart(data.parts[i]!);
      return { offset: part.offset, length: part.length, gzip: part.gzip, path: part.path };
    }),
    limits: { ...deps.limits, inlineInflateBytes, taskOutputBytes },
  };
  const result = await deps.inflate(task);
  const { stageSeconds, stageBytes } = ingestMetrics;
  stageSeconds.observe({ stage: 'gunzip' }, result.stages.gunzipMs / 1000);
  stageSeconds.observe({ stage: 'hash' }, result.stages.hashMs / 1000);
  stageBytes.inc({ stage: 'gunzip' }, result.stages.gunzipBytes);
  stageBytes.inc({ stage: 'hash' }, result.stages.hashBytes);
  ingestMetrics.threadBusySeconds.inc((result.stages.gunzipMs + result.stages.hashMs) / 1000);
  const fromSegment = new Uint8Array(result.segment);
  const blobs = new Map<string, { bytes: Uint8Array; gzip?: Uint8Array }>();
  const overflow: number[] = [];
  let [okFiles, okBytes] = [0, 0];
  result.files.forEach((file, n) => {
    const i = indexes[n]!;
    if (file.kind === 'stream') return void overflow.push(i);
    if (file.kind === 'error') return void (outcomes[i] = { error: { code: file.code, message: file.message } });
    const part = segmentPart(data.parts[i]!);
    if (part.expectHash !== undefined && file.hash !== part.expectHash)
      return void (outcomes[i] = hashMismatch(part.expectHash, file.hash));
    const source = file.buffer === -1 ? fromSegment : new Uint8Array(result.buffers[file.buffer]!);
    blobs.set(file.hash, {
      bytes: source.subarray(file.offset, file.offset + file.size),
      // the part as sent, which a pack may keep instead
      ...(part.gzip ? { gzip: fromSegment.subarray(part.offset, part.offset + part.length) } : {}),
    });
    outcomes[i] = { hash: file.hash, size: file.size, mimeType: file.mimeType, dataType: file.dataType };
    okFiles++;
    okBytes += file.size;
  });
  const missing = [...(await deps.versions.missing([...blobs.keys()]))];
  const fresh = missing.map((hash) => ({ hash, ...blobs.get(hash)! }));
  const storedBytes = fresh.reduce((sum, v) => sum + v.bytes.byteLength, 0);
  const written = await timed('store', () => deps.versionWriter.write(fresh));
  stageBytes.inc({ stage: 'store' }, storedBytes);
  await deps.versions.markStored(written.loose);
  // every view of the segment (the versions just written) is done with
  deps.store.release?.(result.segment);
  // Parts with the same content in one segment are written once: all but that one count as deduplicated.
  return { overflow, deduplicated: okFiles - missing.length, deduplicatedBytes: okBytes - storedBytes };
}

/** A part of a segment the job's grouping put there: only a range of one spool object is. */
function segmentPart(part: SpooledPart): SegmentPart {
  if (isChunkedPart(part)) throw new SluiceError('internal', `part ${part.path} is chunked, not in a segment`);
  return part;
}
