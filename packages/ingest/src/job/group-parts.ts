import { isChunkedPart, type SpooledPart } from '@sluice/queue';
import { inlinePartMaxBytes } from '../receive/spool-layout.js';

/** Which parts a job reads a whole segment for, and which it streams; by index into the job's parts. */
export interface PartGroups {
  /** Each spool segment's small parts, in request order; segments in the order first named. */
  segments: Map<string, number[]>;
  /** Parts too large to read whole: chunked ones, and ranges past the inline size. */
  streamed: number[];
}

export function groupParts(parts: readonly SpooledPart[]): PartGroups {
  const segments = new Map<string, number[]>();
  const streamed: number[] = [];
  parts.forEach((part, i) => {
    if (isChunkedPart(part) || part.length > inlinePartMaxBytes) return void streamed.push(i);
    const list = segments.get(part.spool);
    if (list) list.push(i);
    else segments.set(part.spool, [i]);
  });
  return { segments, streamed };
}
