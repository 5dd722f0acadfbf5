/**
 * Piscina task: the CPU work of one spool segment's small parts: gunzip within the limits,
 * xxh3-128, mime sniffing. No I/O here. The segment arrives by transfer and goes back the same
 * way, with each inflated file's own buffer, so no file's bytes are copied between threads.
 */
import { gunzipSync } from 'node:zlib';
import { Piscina } from 'piscina';
import { createOxenHasher, sniffMime, type ContentFacts, type ErrorCode, type OxenHasher } from '@sluice/core';
import { inflateLimitError, ratioCap } from '../../digest/inflate-limits.js';

export interface InflateLimits {
  maxInflateBytes: number;
  maxInflateRatio: number;
  /** A part that would inflate past this is handed back to be streamed instead. */
  inlineInflateBytes: number;
  /** Inflated bytes one task may hold in memory; parts beyond it are handed back to be streamed. */
  taskOutputBytes: number;
}

export interface InflateTask {
  segment: ArrayBuffer;
  parts: Array<{ offset: number; length: number; gzip: boolean; path: string }>;
  limits: InflateLimits;
}

export type InflatedFile =
  /** `buffer` -1: the content is in the segment at `offset`; else in `buffers[buffer]`. */
  | ({ kind: 'ok'; buffer: number; offset: number } & ContentFacts)
  | { kind: 'error'; code: ErrorCode; message: string }
  | { kind: 'stream' };

export interface InflateTaskResult {
  segment: ArrayBuffer;
  buffers: ArrayBuffer[];
  files: InflatedFile[];
  /** Time and bytes of the task's two stages, for the metrics (threads have no registry of their own). */
  stages: { gunzipMs: number; gunzipBytes: number; hashMs: number; hashBytes: number };
}

let hasherPromise: Promise<OxenHasher> | undefined;

type Inflated = { kind: 'data'; data: Buffer } | InflatedFile;

function inflate(input: Uint8Array, limits: InflateLimits, budget: number): Inflated {
  // one byte past the limits, so that crossing them is seen (and judged like a stream's)
  const judged = Math.min(limits.maxInflateBytes, ratioCap(input.length, limits)) + 1;
  const cap = Math.min(judged, limits.inlineInflateBytes, budget);
  try {
    const data = gunzipSync(input, { maxOutputLength: Math.max(1, cap), chunkSize: 256 * 1024 });
    const refused = inflateLimitError(data.length, input.length, limits);
    return refused ? { kind: 'error', code: refused.code, message: refused.message } : { kind: 'data', data };
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== 'ERR_BUFFER_TOO_LARGE') {
      return { kind: 'error', code: 'corrupt_gzip', message: `corrupt gzip stream: ${(error as Error).message}` };
    }
    const refused = cap === judged ? inflateLimitError(cap, input.length, limits) : null;
    // past what a task may hold in memory but within the limits: the part is streamed instead
    return refused ? { kind: 'error', code: refused.code, message: refused.message } : { kind: 'stream' };
  }
}

/**
 * A Buffer may be a slice of Node's shared pool: handing its ArrayBuffer over would take memory
 * other Buffers use. Only Buffers that own their whole ArrayBuffer are transferred; the rest
 * (small ones) are copied.
 */
function ownBuffer(data: Buffer): ArrayBuffer {
  if (data.byteOffset === 0 && data.buffer.byteLength === data.length && data.buffer instanceof ArrayBuffer)
    return data.buffer;
  return Uint8Array.prototype.slice.call(data).buffer as ArrayBuffer;
}

export default async function inflateTask(task: InflateTask): Promise<InflateTaskResult> {
  const hasher = await (hasherPromise ??= createOxenHasher());
  const segment = new Uint8Array(task.segment);
  const files: InflatedFile[] = [];
  const buffers: ArrayBuffer[] = [];
  let outputSize = 0;
  const stages = { gunzipMs: 0, gunzipBytes: 0, hashMs: 0, hashBytes: 0 };
  for (const part of task.parts) {
    const raw = segment.subarray(part.offset, part.offset + part.length);
    let content: Uint8Array = raw;
    let buffer = -1;
    let offset = part.offset;
    if (part.gzip) {
      const started = performance.now();
      const result = inflate(raw, task.limits, task.limits.taskOutputBytes - outputSize);
      stages.gunzipMs += performance.now() - started;
      if (result.kind !== 'data') {
        files.push(result);
        continue;
      }
      content = result.data;
      outputSize += content.length;
      stages.gunzipBytes += content.length;
      buffers.push(ownBuffer(result.data));
      buffer = buffers.length - 1;
      offset = 0;
    }
    const started = performance.now();
    hasher.init();
    hasher.update(content);
    const hash = hasher.digest();
    stages.hashMs += performance.now() - started;
    stages.hashBytes += content.length;
    files.push({
      kind: 'ok',
      hash,
      size: content.length,
      ...sniffMime(content.subarray(0, 4096), part.path),
      buffer,
      offset,
    });
  }
  const result: InflateTaskResult = { segment: task.segment, buffers, files, stages };
  // Every buffer goes back by transfer: Piscina moves what the transferable getter lists.
  return Piscina.move({
    get [Piscina.transferableSymbol]() {
      return [task.segment, ...buffers];
    },
    get [Piscina.valueSymbol]() {
      return result;
    },
  } as unknown as ArrayBuffer) as unknown as InflateTaskResult;
}
